#include "FuzzSupport.h"

// Every target starts the same way: Qt's messages go nowhere (a parser that logs each refusal
// would spend the run writing to stderr), a fatal one still aborts.
extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    mailkey::fuzz::quietQt();
    return 0;
}
