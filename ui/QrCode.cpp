#include "ui/QrCode.h"

#include <qrencode.h>

#include <memory>

namespace mailkey {

namespace {

constexpr int kQuietZone = 4; // modules of white around the symbol (ISO/IEC 18004, 6.3.8)

struct QrFree {
    void operator()(QRcode *code) const { QRcode_free(code); }
};
using QrPtr = std::unique_ptr<QRcode, QrFree>;

QrPtr encode(const QByteArray &data)
{
    if (data.isEmpty())
        return nullptr;
    // Version 0: the smallest symbol that holds the data. Byte mode, so any URL goes in as is.
    return QrPtr(QRcode_encodeData(int(data.size()), reinterpret_cast<const unsigned char *>(data.constData()), 0,
                                   QR_ECLEVEL_M));
}

} // namespace

int qrCodeModules(const QByteArray &data)
{
    const QrPtr code = encode(data);
    return code ? code->width : 0;
}

QImage qrCodeImage(const QByteArray &data, int modulePixels)
{
    const QrPtr code = encode(data);
    if (!code || modulePixels < 1)
        return {};
    const int modules = code->width;
    const int side = (modules + 2 * kQuietZone) * modulePixels;
    QImage image(side, side, QImage::Format_Grayscale8);
    image.fill(255);
    for (int y = 0; y < modules; ++y) {
        for (int x = 0; x < modules; ++x) {
            // Bit 0 of each byte is the module's colour (1 = dark); the other bits say what the
            // module is part of (qrencode.h).
            if ((code->data[y * modules + x] & 1) == 0)
                continue;
            for (int dy = 0; dy < modulePixels; ++dy) {
                uchar *line = image.scanLine((y + kQuietZone) * modulePixels + dy);
                for (int dx = 0; dx < modulePixels; ++dx)
                    line[(x + kQuietZone) * modulePixels + dx] = 0;
            }
        }
    }
    return image;
}

} // namespace mailkey
