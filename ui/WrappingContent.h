#pragma once

#include <QWidget>

namespace mailkey {

// The content widget of a vertically scrolling QScrollArea (widgetResizable): never shorter than
// its layout needs at its current width, so the scroll area scrolls instead of clipping. "Needs":
// for each item of its box layout, the height-for-width of word-wrapped content (banners, help
// text) and the minimum height of the rest (a list, a page that scrolls by itself), plus spacing
// and margins. QScrollArea alone would take the layout's preferred height-for-width as the minimum
// (scrolling when it need not) or sizeHint() (clipping wrapped labels when narrow).
class WrappingContent : public QWidget {
    Q_OBJECT
public:
    explicit WrappingContent(QWidget *parent = nullptr);

    int neededHeight(int width) const;
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override { return neededHeight(width); }

protected:
    void resizeEvent(QResizeEvent *event) override;
    bool event(QEvent *event) override;

private:
    void updateMinimumHeight();
};

} // namespace mailkey
