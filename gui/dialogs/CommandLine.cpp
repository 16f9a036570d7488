#include "CommandLine.h"

namespace pidvisor::gui {

QStringList splitCommandLine(const QString& line)
{
    QStringList out;
    QString word;
    bool inWord = false;
    QChar quote;
    for (qsizetype i = 0; i < line.size(); ++i) {
        QChar c = line[i];
        if (!quote.isNull()) {
            if (c == quote)
                quote = QChar();
            else if (c == '\\' && quote == '"' && i + 1 < line.size())
                word += line[++i];
            else
                word += c;
            continue;
        }
        if (c.isSpace()) {
            if (inWord)
                out << word;
            word.clear();
            inWord = false;
            continue;
        }
        inWord = true;
        if (c == '\'' || c == '"')
            quote = c;
        else if (c == '\\' && i + 1 < line.size())
            word += line[++i];
        else
            word += c;
    }
    if (inWord)
        out << word;
    return out;
}

} // namespace pidvisor::gui
