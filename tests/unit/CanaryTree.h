// CanaryTree: files and directories outside a directory under attack, to
// prove afterwards that nothing there was created, changed or deleted.
// A snapshot records every entry's type, size, mtime, content (files) and
// target (symlinks), without following any symlink (not the link count: a
// test may plant a hard link to a canary that the attack then replaces).
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace pidvisor::test {

class CanaryTree {
public:
    // Makes `root` with a file, a directory and a file in it. mtimes are
    // set in the past so that a rewrite with the same content shows.
    explicit CanaryTree(std::filesystem::path root) : m_root(std::move(root))
    {
        namespace fs = std::filesystem;
        fs::create_directories(m_root / "dir");
        write(m_root / "canary.txt", "canary: must not change\n");
        write(m_root / "dir" / "inner.txt", "inner canary\n");
        for (const auto& p : {m_root / "canary.txt", m_root / "dir" / "inner.txt", m_root / "dir"}) {
            timespec times[2] = {{1000000000, 0}, {1000000000, 0}};
            ::utimensat(AT_FDCWD, p.c_str(), times, AT_SYMLINK_NOFOLLOW);
        }
    }

    [[nodiscard]] const std::filesystem::path& root() const { return m_root; }
    [[nodiscard]] std::filesystem::path file() const { return m_root / "canary.txt"; }
    [[nodiscard]] std::filesystem::path dir() const { return m_root / "dir"; }

    // "path type size mtime content" per entry, the root included.
    [[nodiscard]] std::map<std::string, std::string> snapshot() const
    {
        namespace fs = std::filesystem;
        std::map<std::string, std::string> out;
        out["."] = describe(m_root);
        for (const auto& e : fs::recursive_directory_iterator(m_root))
            out[e.path().lexically_relative(m_root).string()] = describe(e.path());
        return out;
    }

    static void write(const std::filesystem::path& p, const std::string& text)
    {
        std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
    }
    static std::string read(const std::filesystem::path& p)
    {
        std::ifstream in(p, std::ios::binary);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }

private:
    static std::string describe(const std::filesystem::path& p)
    {
        struct stat st {};
        if (::lstat(p.c_str(), &st) < 0)
            return "missing";
        std::string d = std::to_string(st.st_mode) + " " + std::to_string(st.st_size) + " " +
                        std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
        if (S_ISREG(st.st_mode))
            d += " " + read(p);
        if (S_ISLNK(st.st_mode))
            d += " -> " + std::filesystem::read_symlink(p).string();
        return d;
    }

    std::filesystem::path m_root;
};

} // namespace pidvisor::test
