#!/bin/sh
# Checks the C++ format (.clang-format) and the lint set (.clang-tidy, warnings as errors), as CI
# does. Installs missing Debian packages first, configures build-lint/ for the compile commands.
# Usage: scripts/lint.sh [--format-only|--tidy-only]
# The format is what clang-format 14 (Debian 12) writes; `ninja format` in a build folder applies it.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
sh scripts/install-deps.sh lint

what=${1:-all}
for v in 14 19; do
  command -v "clang-format-$v" >/dev/null 2>&1 && format="clang-format-$v" && break
done
for v in 14 19; do
  command -v "clang-tidy-$v" >/dev/null 2>&1 && tidy="clang-tidy-$v" && break
done
status=0

if [ "$what" != --tidy-only ]; then
  if [ "$format" != clang-format-14 ]; then
    echo "lint.sh: the format is defined by clang-format 14 (Debian 12); $format may disagree" >&2
  fi
  # Every C++ file git knows, in every folder; one list of the files that are not formatted.
  files=$(git ls-files '*.cpp' '*.h')
  # shellcheck disable=SC2086
  if ! $format --dry-run --Werror $files 2> build-lint-format.log; then
    echo "== Not formatted (apply with: ninja -C <build> format):"
    grep -o '^[^:]*\.\(cpp\|h\)' build-lint-format.log | sort -u | sed 's/^/  /'
    echo "== first differences:"
    head -40 build-lint-format.log
    status=1
  else
    echo "== Format: $(echo "$files" | wc -l) files as .clang-format says ($format)"
  fi
  rm -f build-lint-format.log
fi

if [ "$what" != --format-only ]; then
  # Configured only, with the moc output the sources include made (the global autogen target).
  cmake -S . -B build-lint -G Ninja -DCMAKE_BUILD_TYPE=Debug -DMAILKEY_BUILD_TESTS=OFF \
    -DMAILKEY_BUILD_BENCH=OFF -DCMAKE_GLOBAL_AUTOGEN_TARGET=ON > build-lint.log 2>&1 &&
    cmake --build build-lint --target autogen >> build-lint.log 2>&1 || { cat build-lint.log; exit 1; }
  # clang does not know some of GCC's warning options (-Wshadow=local).
  log=$(mktemp)
  if git ls-files 'core/*.cpp' 'cli/*.cpp' 'ui/*.cpp' 'app/*.cpp' |
     xargs -P "$(nproc)" -n 4 "$tidy" -p build-lint --quiet --extra-arg=-Wno-unknown-warning-option \
       > "$log" 2>&1; then
    echo "== Lint: $(git ls-files 'core/*.cpp' 'cli/*.cpp' 'ui/*.cpp' 'app/*.cpp' | wc -l) files, no finding ($tidy)"
  else
    grep -E '(error|warning):' "$log" | grep -v 'warnings generated' | sort -u
    echo "== Lint: findings above (.clang-tidy; $tidy)"
    status=1
  fi
  rm -f "$log"
fi
exit "$status"
