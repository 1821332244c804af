//! One spelling for every document this crate reads with serde.
//!
//! serde's derived `Deserialize` for a struct also accepts a sequence of
//! its fields in declaration order, so `["payment", …]` reads as a policy
//! and `"limits": [8192]` as a table of limits. Two spellings of one
//! document is what the profile forbids for tokens (spec §14.4), and the
//! JSON and TOML documents of a relying party (policies, bulletins, status
//! lists, verifier configurations) follow the same rule: a struct is read
//! from a map (a JSON object, a TOML table) only.
//!
//! [`Strict`] wraps any serde `Deserializer` and refuses a sequence
//! wherever a struct, or a struct variant, is expected, at every depth.
//! Everything else is forwarded unchanged, so a format's special structs
//! (TOML's datetimes) keep working.
//!
//! Limitation: serde buffers the input of untagged and internally tagged
//! enums before choosing a variant, and deserializes the buffered content
//! with its own deserializer; a struct inside such an enum is not covered.
//! None of the documents read here has one with struct variants.

use core::fmt;

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, Error as _, MapAccess, SeqAccess, Unexpected,
    VariantAccess, Visitor,
};

/// Reads `T` from JSON, structs from objects only.
pub(crate) fn from_json_slice<T: de::DeserializeOwned>(json: &[u8]) -> serde_json::Result<T> {
    let mut de = serde_json::Deserializer::from_slice(json);
    let value = T::deserialize(Strict(&mut de))?;
    de.end()?;
    Ok(value)
}

/// Reads `T` from TOML, structs from tables only.
#[cfg(feature = "toml")]
pub(crate) fn from_toml_str<T: de::DeserializeOwned>(text: &str) -> Result<T, toml::de::Error> {
    T::deserialize(Strict(toml::Deserializer::parse(text)?))
}

/// A deserializer that reads structs from maps only (module docs).
pub(crate) struct Strict<D>(pub(crate) D);

/// A visitor that refuses a sequence when it stands for a struct.
struct Checked<V> {
    visitor: V,
    is_struct: bool,
}

fn any<V>(visitor: V) -> Checked<V> {
    Checked {
        visitor,
        is_struct: false,
    }
}

macro_rules! forward {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
            self.0.$method(any(visitor))
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Strict<D> {
    type Error = D::Error;

    forward! {
        deserialize_any deserialize_bool deserialize_i8 deserialize_i16
        deserialize_i32 deserialize_i64 deserialize_i128 deserialize_u8
        deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64 deserialize_char deserialize_str
        deserialize_string deserialize_bytes deserialize_byte_buf
        deserialize_option deserialize_unit deserialize_seq deserialize_map
        deserialize_identifier deserialize_ignored_any
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_unit_struct(name, any(visitor))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_newtype_struct(name, any(visitor))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple(len, any(visitor))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple_struct(name, len, any(visitor))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let visitor = Checked {
            visitor,
            is_struct: true,
        };
        self.0.deserialize_struct(name, fields, visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_enum(name, variants, any(visitor))
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

macro_rules! visit {
    ($($method:ident($ty:ty))*) => {$(
        fn $method<E: de::Error>(self, v: $ty) -> Result<V::Value, E> {
            self.visitor.$method(v)
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Checked<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    visit! {
        visit_bool(bool) visit_i8(i8) visit_i16(i16) visit_i32(i32) visit_i64(i64)
        visit_i128(i128) visit_u8(u8) visit_u16(u16) visit_u32(u32) visit_u64(u64)
        visit_u128(u128) visit_f32(f32) visit_f64(f64) visit_char(char)
        visit_str(&str) visit_borrowed_str(&'de str) visit_string(alloc::string::String)
        visit_bytes(&[u8]) visit_borrowed_bytes(&'de [u8]) visit_byte_buf(alloc::vec::Vec<u8>)
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.visitor.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.visitor.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.visitor.visit_some(Strict(d))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.visitor.visit_newtype_struct(Strict(d))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        if self.is_struct {
            return Err(A::Error::invalid_type(Unexpected::Seq, &self.visitor));
        }
        self.visitor.visit_seq(Seq(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.visitor.visit_map(Map(map))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.visitor.visit_enum(Enum(data))
    }
}

/// Deserializes whatever a seed asks for through [`Strict`].
struct Seed<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(Strict(d))
    }
}

struct Seq<A>(A);

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Seq<A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        self.0.next_element_seed(Seed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

struct Map<A>(A);

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Map<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.0.next_key_seed(Seed(seed))
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.0.next_value_seed(Seed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

struct Enum<A>(A);

impl<'de, A: EnumAccess<'de>> EnumAccess<'de> for Enum<A> {
    type Error = A::Error;
    type Variant = Variant<A::Variant>;

    fn variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<(T::Value, Self::Variant), A::Error> {
        let (value, variant) = self.0.variant_seed(Seed(seed))?;
        Ok((value, Variant(variant)))
    }
}

struct Variant<A>(A);

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for Variant<A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.0.unit_variant()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        self.0.newtype_variant_seed(Seed(seed))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.0.tuple_variant(len, any(visitor))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        let visitor = Checked {
            visitor,
            is_struct: true,
        };
        self.0.struct_variant(fields, visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::{String, ToString};
    use alloc::vec::Vec;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        n: u32,
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        id: String,
        inner: Inner,
        list: Vec<Inner>,
        maybe: Option<Inner>,
        kind: Kind,
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(rename_all = "kebab-case")]
    enum Kind {
        Plain,
        Shaped { n: u32 },
    }

    const GOOD: &str =
        r#"{"id": "a", "inner": {"n": 1}, "list": [{"n": 2}], "maybe": {"n": 3}, "kind": "plain"}"#;

    #[test]
    fn structs_read_from_maps() {
        let outer: Outer = from_json_slice(GOOD.as_bytes()).unwrap();
        assert_eq!(outer.inner, Inner { n: 1 });
        assert_eq!(outer.list, [Inner { n: 2 }]);
        assert_eq!(outer.maybe, Some(Inner { n: 3 }));
        let shaped: Outer = from_json_slice(
            br#"{"id": "a", "inner": {"n": 1}, "list": [], "maybe": null, "kind": {"shaped": {"n": 4}}}"#,
        )
        .unwrap();
        assert_eq!(shaped.kind, Kind::Shaped { n: 4 });
    }

    #[test]
    fn a_struct_from_a_sequence_is_refused_at_every_depth() {
        // serde_json alone accepts each of these.
        let spellings: [&[u8]; 5] = [
            br#"["a", {"n": 1}, [], null, "plain"]"#,
            br#"{"id": "a", "inner": [1], "list": [], "maybe": null, "kind": "plain"}"#,
            br#"{"id": "a", "inner": {"n": 1}, "list": [[2]], "maybe": null, "kind": "plain"}"#,
            br#"{"id": "a", "inner": {"n": 1}, "list": [], "maybe": [3], "kind": "plain"}"#,
            br#"{"id": "a", "inner": {"n": 1}, "list": [], "maybe": null, "kind": {"shaped": [4]}}"#,
        ];
        for json in spellings {
            assert!(
                serde_json::from_slice::<Outer>(json).is_ok(),
                "serde_json reads it"
            );
            let err = from_json_slice::<Outer>(json).unwrap_err();
            assert!(
                err.to_string().contains("invalid type: sequence"),
                "{}: {err}",
                core::str::from_utf8(json).unwrap()
            );
        }
    }

    #[test]
    fn trailing_json_is_refused() {
        let mut json = String::from(GOOD);
        json.push_str(" {}");
        assert!(from_json_slice::<Outer>(json.as_bytes()).is_err());
    }

    #[cfg(feature = "toml")]
    #[test]
    fn toml_tables_only() {
        let good = "id = \"a\"\nkind = \"plain\"\nlist = [{ n = 2 }]\n[inner]\nn = 1\n";
        let outer: Outer = from_toml_str(good).unwrap();
        assert_eq!(outer.inner, Inner { n: 1 });
        let bad = "id = \"a\"\nkind = \"plain\"\nlist = []\ninner = [1]\n";
        assert!(toml::from_str::<Outer>(bad).is_ok(), "toml alone reads it");
        let err = from_toml_str::<Outer>(bad).unwrap_err();
        assert!(err.to_string().contains("invalid type: sequence"), "{err}");
    }
}
