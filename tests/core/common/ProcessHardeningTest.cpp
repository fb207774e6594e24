// hardenProcess(), called first in both main()s: no core dumps and (Linux) not dumpable, so key
// material in memory cannot end up in a crash dump.
#include "core/common/ProcessHardening.h"
#include "tests/support/TestUtil.h"

#include <sys/resource.h>
#if defined(Q_OS_LINUX)
#include <sys/prctl.h>
#endif

using namespace mailkey;

TEST(ProcessHardening, DisablesCoreDumps)
{
    struct rlimit before {};
    ASSERT_EQ(getrlimit(RLIMIT_CORE, &before), 0);
    hardenProcess();
    EXPECT_TRUE(coreDumpsDisabled());
    struct rlimit after {};
    ASSERT_EQ(getrlimit(RLIMIT_CORE, &after), 0);
    EXPECT_EQ(after.rlim_cur, rlim_t(0));
    EXPECT_EQ(after.rlim_max, rlim_t(0));
#if defined(Q_OS_LINUX)
    EXPECT_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
#endif
}
