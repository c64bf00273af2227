//! The macros behind the code-list enums and the validated value types.
//!
//! Code lists are stored in the database and used in URLs by their code, shown to users by
//! their label, and must round-trip through serde. Generating them from one table keeps
//! the code, the Danish and the English label of a variant on one line, so they cannot
//! drift apart.
//!
//! Value types (CVR number, postal code, email address, ...) each have their own parser;
//! `value_type!` gives them the same `Display`, `FromStr` and serde impls on top of it, so
//! every one of them is validated the same way whichever way it comes in.

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

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        value_type!(@parse $name);
    };
}

/// Implements `Display`, `FromStr`, `Serialize` and `Deserialize` for a validated value
/// type with an inherent `parse(&str) -> Result<Self, DomainError>`.
///
/// `display: "{:08}", value` shows the type by formatting `self.value()` with `"{:08}"`;
/// it is serialised as that string too (so leading zeros survive). Deserialising goes
/// through `parse`, so a value read from JSON or a form is validated exactly like one typed
/// in. With `from_int: Cvr::from_u32, too_large: DomainError::CvrFormat` an integer is
/// accepted as well: narrowed to the argument type of `from_int` (`too_large` if it does
/// not fit) and validated by it.
///
/// ```ignore
/// value_type! { Phone, display: "{}", as_str }
/// value_type! {
///     Cvr,
///     display: "{:08}", value,
///     from_int: Cvr::from_u32, too_large: DomainError::CvrFormat,
/// }
/// ```
macro_rules! value_type {
    (
        $name:ident,
        display: $format:literal, $shown:ident
        $(, from_int: $from_int:path, too_large: $too_large:expr)? $(,)?
    ) => {
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, $format, self.$shown())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        value_type!(@parse $name $(, $from_int, $too_large)?);
    };

    // `FromStr` and `Deserialize` through `parse` (also used by `code_list!`).
    (@parse $name:ident $(, $from_int:path, $too_large:expr)?) => {
        impl ::std::str::FromStr for $name {
            type Err = crate::domain::DomainError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                crate::domain::serde_util::deserialize(
                    deserializer,
                    Self::parse,
                    value_type!(@from_int $($from_int, $too_large)?),
                )
            }
        }
    };

    (@from_int) => {
        None
    };

    (@from_int $from_int:path, $too_large:expr) => {
        Some(|n| crate::domain::serde_util::narrow(n, $too_large, $from_int))
    };
}
