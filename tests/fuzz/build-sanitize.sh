#!/usr/bin/env bash
# Configures the sanitize tree (clang-14, ASan+UBSan, libFuzzer coverage, no
# GUI) and builds the targets asked for.
#   build-sanitize.sh SOURCE_DIR BUILD_DIR TARGET...
set -euo pipefail
src=$1 dir=$2
shift 2
for tool in clang-14 clang++-14; do
  command -v "$tool" >/dev/null || { echo "sanitize: $tool is not installed (packaging/install-deps.sh installs it)" >&2; exit 1; }
done
cmake -S "$src" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
  -DPIDVISOR_SANITIZE=ON -DPIDVISOR_BUILD_GUI=OFF >/dev/null
exec cmake --build "$dir" --target "$@"
