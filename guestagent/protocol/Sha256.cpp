#include "Sha256.h"

#include "UniqueFd.h"

#include <fcntl.h>

#include <cerrno>

namespace pidvisor {

Sha256::Sha256() : m_ctx(EVP_MD_CTX_new())
{
    EVP_DigestInit_ex(m_ctx.get(), EVP_sha256(), nullptr);
}

void Sha256::update(std::string_view bytes)
{
    EVP_DigestUpdate(m_ctx.get(), bytes.data(), bytes.size());
}

std::string Sha256::hex()
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(m_ctx.get(), digest, &len);
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        out += digits[digest[i] >> 4];
        out += digits[digest[i] & 0xf];
    }
    return out;
}

std::string Sha256::of(std::string_view bytes)
{
    Sha256 h;
    h.update(bytes);
    return h.hex();
}

Result<std::string> Sha256::ofFile(const std::string& path)
{
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd)
        return failErrno("reading " + path, errno);
    Sha256 h;
    std::string buf(1 << 20, '\0');
    for (;;) {
        ssize_t n = ::read(fd.get(), buf.data(), buf.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return failErrno("reading " + path, errno);
        if (n == 0)
            break;
        h.update(std::string_view(buf.data(), static_cast<std::size_t>(n)));
    }
    return h.hex();
}

} // namespace pidvisor
