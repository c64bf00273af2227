//! The macro behind the code-list enums.
//!
//! Code lists are stored in the database and used in URLs by their code, shown to users by
//! their label, and must round-trip through serde. Generating them from one table keeps
//! the code, the Danish and the English label of a variant on one line, so they cannot
//! drift apart.

/// Defines a code-list enum with `ALL`, `as_str`, `parse`, `label`, `FromStr` and serde
/// (as the code). Each variant is written `Variant = "code", "Danish label", "English label";`.
macro_rules! code_list {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $code:literal, $da:literal, $en:literal;
            )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [Self] = &[ $( Self::$variant, )+ ];

            /// The stable code stored in the database and used in URLs.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( Self::$variant => $code, )+
                }
            }

            /// Parses a code (surrounding whitespace and ASCII case are ignored, so a
            /// hand-edited URL still works).
            pub fn parse(code: &str) -> Result<Self, crate::domain::DomainError> {
                let code = code.trim();
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str().eq_ignore_ascii_case(code))
                    .ok_or(crate::domain::DomainError::UnknownValue)
            }

            /// The label shown to users.
            pub fn label(self, lang: crate::domain::Lang) -> &'static str {
                match self {
                    $( Self::$variant => lang.pick($da, $en), )+
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = crate::domain::DomainError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                crate::domain::serde_util::deserialize_str(deserializer, Self::parse)
            }
        }
    };
}
