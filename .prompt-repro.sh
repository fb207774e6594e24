set -eu
cd /src
sh scripts/install-deps.sh test > /tmp/deps.log 2>&1
export CCACHE_BASEDIR=/src CCACHE_NOHASHDIR=true
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache > /tmp/cfg.log 2>&1
cmake --build build -j2 --target test_secret_service_unlock > /tmp/build.log 2>&1 || { tail -30 /tmp/build.log; exit 1; }
cd build && ctest -R test_secret_service_unlock_prompt --output-on-failure 2>&1 | tail -80
