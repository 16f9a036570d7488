// TestDirectory: a fresh directory under $TMPDIR for one test, removed with
// everything in it when the test ends, so tests use real SQLite files
// without seeing each other's.
#pragma once

#include <filesystem>
#include <string>

namespace pidvisor::manager::test {

class TestDirectory {
public:
    TestDirectory();
    ~TestDirectory();
    TestDirectory(const TestDirectory&) = delete;
    TestDirectory& operator=(const TestDirectory&) = delete;

    [[nodiscard]] const std::filesystem::path& path() const { return m_path; }
    // path()/name as a string, for Inventory::open.
    [[nodiscard]] std::string file(const std::string& name = "inventory.db") const;

private:
    std::filesystem::path m_path;
};

} // namespace pidvisor::manager::test
