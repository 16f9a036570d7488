// openFailureHint: a user whom the system libvirt turns away is told how to
// get in; other failures get no hint.
#include "libvirt/Connection.h"

#include <gtest/gtest.h>

using pidvisor::manager::openFailureHint;

TEST(ConnectionHint, ANonRootUserDeniedTheSystemLibvirtIsToldAboutTheGroup)
{
    auto hint = openFailureHint("qemu:///system",
                                "Failed to connect socket to '/var/run/libvirt/libvirt-sock': Permission denied",
                                false);
    EXPECT_NE(hint.find("'libvirt' group"), std::string::npos) << hint;
    EXPECT_NE(hint.find("adduser"), std::string::npos) << hint;
    EXPECT_FALSE(openFailureHint("qemu:///system", "authentication unavailable: no polkit agent", false).empty());
}

TEST(ConnectionHint, RootOtherUrisAndOtherFailuresGetNoHint)
{
    const char* denied = "Failed to connect socket: Permission denied";
    EXPECT_TRUE(openFailureHint("qemu:///system", denied, true).empty());
    EXPECT_TRUE(openFailureHint("qemu:///session", denied, false).empty());
    EXPECT_TRUE(openFailureHint("test:///default", denied, false).empty());
    EXPECT_TRUE(openFailureHint("qemu:///system", "Failed to connect socket: No such file or directory", false).empty());
}

TEST(ConnectionHint, NoSystemBusMeansPolkitCannotBeAsked)
{
    auto hint = openFailureHint(
        "qemu:///system",
        "internal error: Unable to get system bus connection: Could not connect: No such file or directory", false);
    EXPECT_NE(hint.find("D-Bus"), std::string::npos) << hint;
    EXPECT_NE(hint.find("'libvirt' group"), std::string::npos) << hint;
}
