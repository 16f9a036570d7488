#include "FormPage.h"

#include <QFormLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace pidvisor::gui {

FormPage::FormPage(QWidget* parent) : QWidget(parent)
{
    m_title = new QLabel;
    QFont f = m_title->font();
    f.setPointSizeF(f.pointSizeF() * 1.35);
    f.setBold(true);
    m_title->setFont(f);
    m_subtitle = new QLabel;
    m_subtitle->setStyleSheet("color: #5f6b7a");
    m_form = new QFormLayout;
    m_form->setLabelAlignment(Qt::AlignRight);
    m_form->setHorizontalSpacing(14);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_subtitle);
    layout->addSpacing(6);
    layout->addLayout(m_form);
    layout->addStretch(1);
}

void FormPage::setTitle(const QString& title, const QString& subtitle)
{
    m_title->setText(title);
    m_subtitle->setText(subtitle);
    m_subtitle->setVisible(!subtitle.isEmpty());
}

void FormPage::setRows(const Rows& rows)
{
    while (m_rows.size() > rows.size()) {
        m_form->removeRow(static_cast<int>(m_rows.size()) - 1);
        m_rows.pop_back();
    }
    while (m_rows.size() < rows.size()) {
        auto* label = new QLabel;
        label->setStyleSheet("color: #5f6b7a");
        auto* value = new QLabel;
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        value->setWordWrap(true);
        m_form->addRow(label, value);
        m_rows.emplace_back(label, value);
    }
    for (std::size_t i = 0; i < rows.size(); ++i) {
        m_rows[i].first->setText(rows[i].first);
        m_rows[i].second->setText(rows[i].second.isEmpty() ? "—" : rows[i].second);
    }
}

QString FormPage::value(const QString& label) const
{
    for (const auto& [l, v] : m_rows)
        if (l->text() == label)
            return v->text();
    return {};
}

} // namespace pidvisor::gui
