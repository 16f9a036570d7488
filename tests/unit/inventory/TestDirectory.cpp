#include "TestDirectory.h"

#include <cstdlib>
#include <stdexcept>

namespace pidvisor::manager::test {

TestDirectory::TestDirectory()
{
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr && tmp[0] != '\0' ? tmp : "/tmp") + "/pv-inventory-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr)
        throw std::runtime_error("mkdtemp failed for " + pattern);
    m_path = pattern;
}

TestDirectory::~TestDirectory()
{
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
}

std::string TestDirectory::file(const std::string& name) const
{
    return (m_path / name).string();
}

} // namespace pidvisor::manager::test
