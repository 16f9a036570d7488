#include "TextTable.h"

#include <algorithm>

namespace pidvisor {

std::string TextTable::render() const
{
    std::vector<std::size_t> widths;
    widths.reserve(m_headers.size());
    for (const auto& h : m_headers)
        widths.push_back(h.size());
    for (const auto& row : m_rows)
        for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i)
            widths[i] = std::max(widths[i], row[i].size());
    std::string out;
    auto line = [&](const std::vector<std::string>& cells) {
        std::string text;
        for (std::size_t i = 0; i < widths.size(); ++i) {
            std::string cell = i < cells.size() ? cells[i] : "";
            text += cell;
            if (i + 1 < widths.size())
                text += std::string(widths[i] - cell.size() + 2, ' ');
        }
        while (!text.empty() && text.back() == ' ')
            text.pop_back();
        out += text + "\n";
    };
    line(m_headers);
    for (const auto& row : m_rows)
        line(row);
    return out;
}

} // namespace pidvisor
