//! Email templates: `templates/emails/<name>/{subject.txt, body.txt,
//! body.html}`, Danish and English in each file (`lang`), sharing
//! `emails/layout.{txt,html}`. Every email has a text part; the HTML part is
//! autoescaped (only `.html` templates are).
use tera::{Context, Tera};

macro_rules! email_templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../templates/", $name)))),*]
    };
}

const TEMPLATES: &[(&str, &str)] = email_templates![
    "emails/layout.txt",
    "emails/layout.html",
    "emails/followup/subject.txt",
    "emails/followup/body.txt",
    "emails/followup/body.html",
    "emails/event_invitation/subject.txt",
    "emails/event_invitation/body.txt",
    "emails/event_invitation/body.html",
    "emails/digest/subject.txt",
    "emails/digest/body.txt",
    "emails/digest/body.html",
    "emails/need_receipt/subject.txt",
    "emails/need_receipt/body.txt",
    "emails/need_receipt/body.html",
    "emails/need_team/subject.txt",
    "emails/need_team/body.txt",
    "emails/need_team/body.html",
    "emails/placement_checkin/subject.txt",
    "emails/placement_checkin/body.txt",
    "emails/placement_checkin/body.html",
    "emails/quarterly_report/subject.txt",
    "emails/quarterly_report/body.txt",
    "emails/quarterly_report/body.html",
];

/// The templates a consultant can choose for a follow-up, and whether each
/// is case-related (only case-related mail may go to a business with
/// advertising protection).
pub const FOLLOWUP_TEMPLATES: [(&str, bool); 2] = [("followup", true), ("event_invitation", false)];

pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub struct EmailTemplates {
    tera: Tera,
}

impl EmailTemplates {
    pub fn load() -> anyhow::Result<Self> {
        let mut tera = Tera::new();
        tera.autoescape_on([".html"]);
        tera.add_raw_templates(TEMPLATES.iter().copied())
            .map_err(|e| anyhow::anyhow!("parsing email templates: {e}"))?;
        Ok(Self { tera })
    }

    pub fn render(&self, name: &str, ctx: &Context) -> anyhow::Result<Rendered> {
        let r = |part: &str| {
            self.tera
                .render(&format!("emails/{name}/{part}"), ctx)
                .map_err(|e| anyhow::anyhow!("rendering email {name}/{part}: {e}"))
        };
        Ok(Rendered {
            // A subject is one line, whatever the template produced.
            subject: r("subject.txt")?
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            text: r("body.txt")?.trim().to_string() + "\n",
            html: r("body.html")?,
        })
    }
}
