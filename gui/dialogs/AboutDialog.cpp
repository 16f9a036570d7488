#include "AboutDialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QVBoxLayout>

namespace pidvisor::gui {

AboutDialog::AboutDialog(const AboutInfo& info, QWidget* parent) : QDialog(parent)
{
    setWindowTitle("About Pidvisor");
    auto* label = new QLabel(text(info));
    label->setObjectName("text");
    label->setTextFormat(Qt::RichText);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(label);
    layout->addWidget(buttons);
}

QString AboutDialog::text(const AboutInfo& info)
{
    auto list = [](const QStringList& items, const QString& none) {
        if (items.isEmpty())
            return "<li>" + none.toHtmlEscaped() + "</li>";
        QString out;
        for (const auto& i : items)
            out += "<li>" + i.toHtmlEscaped() + "</li>";
        return out;
    };
    return "<h2>Pidvisor " + info.pidvisor.toHtmlEscaped() +
           "</h2><p>Checkpointable containers inside virtual machines: each container keeps its own pids,<br>"
           "and moves between VMs with them.</p>"
           "<p><b>Qt</b> " + info.qt.toHtmlEscaped() + " &nbsp; <b>agent protocol</b> " +
           info.protocol.toHtmlEscaped() + "</p><p><b>Connections</b></p><ul>" +
           list(info.hosts, "none connected") + "</ul><p><b>Agents</b></p><ul>" +
           list(info.agents, "none answered yet") + "</ul>";
}

} // namespace pidvisor::gui
