#include "XmlDocument.h"

#include <libxml/xpath.h>

namespace pidvisor::manager {

namespace {
struct ContextFree {
    void operator()(xmlXPathContext* c) const { xmlXPathFreeContext(c); }
};
struct ObjectFree {
    void operator()(xmlXPathObject* o) const { xmlXPathFreeObject(o); }
};
struct XmlCharFree {
    void operator()(xmlChar* s) const { xmlFree(s); }
};
} // namespace

Result<XmlDocument> XmlDocument::parse(const std::string& text)
{
    xmlDoc* doc = xmlReadMemory(text.data(), static_cast<int>(text.size()), "domain.xml", nullptr,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc)
        return fail(ErrorCode::InvalidArgument, "XML document is not well-formed");
    return XmlDocument(doc);
}

std::vector<std::string> XmlDocument::texts(const std::string& xpath) const
{
    std::vector<std::string> out;
    std::unique_ptr<xmlXPathContext, ContextFree> ctx(xmlXPathNewContext(m_doc.get()));
    if (!ctx)
        return out;
    std::unique_ptr<xmlXPathObject, ObjectFree> obj(
        xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(xpath.c_str()), ctx.get()));
    if (!obj || !obj->nodesetval)
        return out;
    for (int i = 0; i < obj->nodesetval->nodeNr; ++i) {
        std::unique_ptr<xmlChar, XmlCharFree> content(xmlNodeGetContent(obj->nodesetval->nodeTab[i]));
        out.emplace_back(content ? reinterpret_cast<const char*>(content.get()) : "");
    }
    return out;
}

std::optional<std::string> XmlDocument::text(const std::string& xpath) const
{
    auto all = texts(xpath);
    if (all.empty())
        return std::nullopt;
    return all.front();
}

std::string xmlEscape(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&apos;"; break;
        default: out += c;
        }
    }
    return out;
}

} // namespace pidvisor::manager
