//! Form fields described in Rust and rendered by one partial
//! (`fields.html`), so every form gets the same accessible markup: a label
//! tied to its input, the error next to the field (`aria-describedby`,
//! `aria-invalid`), and the value as the person typed it.
use std::collections::BTreeMap;

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    /// text, email, tel, number, password, date, datetime-local, textarea,
    /// select, checkbox, checkboxes
    pub kind: &'static str,
    pub value: String,
    pub values: Vec<String>,
    pub options: Vec<(String, String)>,
    pub error: Option<String>,
    pub hint: Option<&'static str>,
    pub required: bool,
    pub autocomplete: &'static str,
}

impl Field {
    pub fn new(name: &'static str, label: &'static str, kind: &'static str) -> Self {
        Field {
            name,
            label,
            kind,
            value: String::new(),
            values: Vec::new(),
            options: Vec::new(),
            error: None,
            hint: None,
            required: false,
            autocomplete: "off",
        }
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn hint(mut self, hint: &'static str) -> Self {
        self.hint = Some(hint);
        self
    }

    pub fn options(mut self, options: Vec<(String, String)>) -> Self {
        self.options = options;
        self
    }

    pub fn autocomplete(mut self, a: &'static str) -> Self {
        self.autocomplete = a;
        self
    }

    pub fn values(mut self, values: Vec<String>) -> Self {
        self.values = values;
        self
    }

    /// Fills value and error from the maps a handler keeps.
    pub fn fill<V: AsRef<str>>(
        mut self,
        values: &BTreeMap<impl AsRef<str> + Ord, V>,
        errors: &BTreeMap<&'static str, String>,
    ) -> Self {
        if let Some(v) = values.iter().find(|(k, _)| k.as_ref() == self.name) {
            self.value = v.1.as_ref().to_string();
        }
        self.error = errors.get(self.name).cloned();
        self
    }
}

/// The first field with an error, for the summary's link.
pub fn first_error(fields: &[Field]) -> Option<&'static str> {
    fields.iter().find(|f| f.error.is_some()).map(|f| f.name)
}

/// Field errors in the user's language, as [`Field::fill`] shows them.
pub type FieldErrors = BTreeMap<&'static str, String>;

/// Says a command's field errors in the user's language.
pub fn messages(invalid: &crate::app::Invalid, lang: crate::domain::Lang) -> FieldErrors {
    invalid
        .iter()
        .map(|e| (e.field, e.error.message(lang)))
        .collect()
}
