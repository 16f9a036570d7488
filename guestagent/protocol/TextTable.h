// TextTable: aligned columns for the human output of both CLIs.
#pragma once

#include <string>
#include <vector>

namespace pidvisor {

class TextTable {
public:
    explicit TextTable(std::vector<std::string> headers) : m_headers(std::move(headers)) {}
    void addRow(std::vector<std::string> row) { m_rows.push_back(std::move(row)); }
    [[nodiscard]] std::string render() const;

private:
    std::vector<std::string> m_headers;
    std::vector<std::vector<std::string>> m_rows;
};

} // namespace pidvisor
