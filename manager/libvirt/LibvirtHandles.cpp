#include "LibvirtHandles.h"

namespace pidvisor::manager {

namespace {
void ignoreError(void*, virErrorPtr) {}
} // namespace

void silenceLibvirtErrors()
{
    virSetErrorFunc(nullptr, ignoreError);
}

Error libvirtError(std::string_view what)
{
    virErrorPtr err = virGetLastError();
    std::string message = err && err->message ? err->message : "unknown libvirt error";
    ErrorCode code = ErrorCode::Internal;
    if (err) {
        switch (err->code) {
        case VIR_ERR_NO_DOMAIN:
        case VIR_ERR_NO_STORAGE_POOL:
        case VIR_ERR_NO_STORAGE_VOL:
        case VIR_ERR_NO_DOMAIN_METADATA:
            code = ErrorCode::NotFound;
            break;
        case VIR_ERR_OPERATION_INVALID:
            code = ErrorCode::FailedPrecondition;
            break;
        case VIR_ERR_INVALID_ARG:
        case VIR_ERR_XML_ERROR:
        case VIR_ERR_XML_DETAIL:
        case VIR_ERR_CONFIG_UNSUPPORTED:
            code = ErrorCode::InvalidArgument;
            break;
        case VIR_ERR_NO_CONNECT:
        case VIR_ERR_SYSTEM_ERROR:
        case VIR_ERR_RPC:
        case VIR_ERR_AUTH_FAILED:
            code = ErrorCode::Unavailable;
            break;
        case VIR_ERR_OPERATION_DENIED:
        case VIR_ERR_ACCESS_DENIED:
            code = ErrorCode::PermissionDenied;
            break;
        case VIR_ERR_NO_SUPPORT:
            code = ErrorCode::Unsupported;
            break;
        case VIR_ERR_OPERATION_TIMEOUT:
            code = ErrorCode::Timeout;
            break;
        case VIR_ERR_DOM_EXIST:
        case VIR_ERR_STORAGE_VOL_EXIST:
            code = ErrorCode::AlreadyExists;
            break;
        default:
            break;
        }
        if (err->code == VIR_ERR_OPERATION_FAILED && message.find("already exists") != std::string::npos)
            code = ErrorCode::AlreadyExists;
    }
    virResetLastError();
    return Error{code, std::string(what) + ": " + message};
}

} // namespace pidvisor::manager
