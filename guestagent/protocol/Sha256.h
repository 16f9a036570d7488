// Sha256: hashing checkpoint files on both sides of the wire (OpenSSL).
#pragma once

#include "Result.h"

#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>

namespace pidvisor {

class Sha256 {
public:
    Sha256();
    void update(std::string_view bytes);
    // Lowercase hex; the object is spent afterwards.
    [[nodiscard]] std::string hex();

    [[nodiscard]] static std::string of(std::string_view bytes);
    // Streams the file; NotFound/PermissionDenied etc. when it cannot be read.
    [[nodiscard]] static Result<std::string> ofFile(const std::string& path);

private:
    struct Free {
        void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
    };
    std::unique_ptr<EVP_MD_CTX, Free> m_ctx;
};

} // namespace pidvisor
