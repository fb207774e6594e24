#pragma once

class QWidget;

namespace mailkey {

// Makes a top-level window (the main window, a dialog) fit the available geometry of its screen:
// no larger than it (frame included, so the title bar and a status bar stay on screen; never
// below the window's minimum size) and moved fully onto it, centred when `centre`. A window that
// is maximized or full screen is left alone. For HiDPI and small screens: a first size computed
// from the font can be taller than a 1000-pixel screen at scale 2.
void fitToScreen(QWidget *window, bool centre);

} // namespace mailkey
