// XmlDocument: read-only XPath queries over an XML string (libxml2), for
// the domain XML libvirt gives back. Element names are matched with
// local-name() by callers that do not care about namespace prefixes.
#pragma once

#include "protocol/Result.h"

#include <libxml/parser.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pidvisor::manager {

class XmlDocument {
public:
    [[nodiscard]] static Result<XmlDocument> parse(const std::string& text);

    // The string value of the first node the expression selects.
    [[nodiscard]] std::optional<std::string> text(const std::string& xpath) const;
    [[nodiscard]] std::vector<std::string> texts(const std::string& xpath) const;

private:
    struct DocFree {
        void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
    };
    explicit XmlDocument(xmlDoc* doc) : m_doc(doc) {}
    std::unique_ptr<xmlDoc, DocFree> m_doc;
};

// Escapes &, <, >, " and ' for XML text and attribute values.
[[nodiscard]] std::string xmlEscape(std::string_view text);

} // namespace pidvisor::manager
