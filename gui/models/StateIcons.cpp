#include "StateIcons.h"

#include "Format.h"

#include <QPainter>
#include <QPainterPath>

namespace pidvisor::gui {

namespace {
constexpr int kSize = 16;
const QColor kInk(0x3b, 0x4a, 0x5c);
} // namespace

QPixmap StateIcons::drawKind(NodeKind kind)
{
    QPixmap pm(kSize, kSize);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(QPen(kInk, 1.2));
    switch (kind) {
    case NodeKind::Host: // a server box with two drive bays
        p.setBrush(QColor(0xe4, 0xe9, 0xf0));
        p.drawRoundedRect(QRectF(1.5, 2.5, 13, 11), 1.5, 1.5);
        p.drawLine(QPointF(1.5, 8), QPointF(14.5, 8));
        break;
    case NodeKind::Vm: // a screen
        p.setBrush(QColor(0xd6, 0xe6, 0xfa));
        p.drawRoundedRect(QRectF(1.5, 2.5, 13, 9), 1.5, 1.5);
        p.drawLine(QPointF(5, 14), QPointF(11, 14));
        break;
    case NodeKind::Container: // a box
        p.setBrush(QColor(0xfb, 0xe8, 0xc8));
        p.drawRect(QRectF(2.5, 4.5, 11, 9));
        p.drawLine(QPointF(2.5, 7.5), QPointF(13.5, 7.5));
        break;
    case NodeKind::Process: { // a gear-ish circle
        p.setBrush(QColor(0xe8, 0xe8, 0xe8));
        p.drawEllipse(QRectF(3, 3, 9, 9));
        p.drawEllipse(QRectF(6, 6, 3, 3));
        break;
    }
    case NodeKind::Root:
        break;
    }
    return pm;
}

QIcon StateIcons::icon(NodeKind kind, format::Tone tone)
{
    static QHash<int, QIcon> cache;
    int key = static_cast<int>(kind) * 8 + static_cast<int>(tone);
    auto it = cache.find(key);
    if (it != cache.end())
        return *it;
    QPixmap pm = drawKind(kind);
    if (kind != NodeKind::Process && kind != NodeKind::Root) {
        QPainter p(&pm);
        p.setRenderHint(QPainter::Antialiasing);
        p.setPen(QPen(Qt::white, 1.2));
        p.setBrush(format::toneColor(tone));
        p.drawEllipse(QRectF(9.5, 9.5, 6, 6));
    }
    return *cache.insert(key, QIcon(pm));
}

QIcon StateIcons::dot(format::Tone tone)
{
    static QHash<int, QIcon> cache;
    auto it = cache.find(static_cast<int>(tone));
    if (it != cache.end())
        return *it;
    QPixmap pm(12, 12);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(Qt::NoPen);
    p.setBrush(format::toneColor(tone));
    p.drawEllipse(QRectF(2, 2, 8, 8));
    return *cache.insert(static_cast<int>(tone), QIcon(pm));
}

} // namespace pidvisor::gui
