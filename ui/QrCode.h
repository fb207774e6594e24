#pragma once

#include <QByteArray>
#include <QImage>

namespace mailkey {

// A QR code (ISO/IEC 18004, encoded by libqrencode) as a black-on-white image with the standard
// quiet zone of 4 modules, `modulePixels` pixels per module. Always dark on light, whatever the
// palette: phone cameras read nothing else reliably. Error correction level M (15% of the
// symbol may be damaged or glared). A null image when the data does not fit a QR code
// (more than 2,331 bytes at level M) or the encoder fails.
QImage qrCodeImage(const QByteArray &data, int modulePixels);

// The number of modules on one side (without the quiet zone), 0 when the data does not fit.
int qrCodeModules(const QByteArray &data);

} // namespace mailkey
