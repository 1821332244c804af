//! Macros shared by the claim modules.

/// Defines a claim value set: a fieldless enum whose variants have fixed integer
/// codes (the encoding) and kebab-case names (for JSON and messages).
///
/// Variants must be listed in code order so that a derived `Ord` follows the codes.
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal => $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant = $code, )+
        }

        impl $name {
            /// Every value, in code order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The integer that encodes this value.
            pub const fn code(self) -> u64 {
                self as u64
            }

            /// The value encoded by `code`, if `code` is in the value set.
            pub const fn from_code(code: u64) -> Option<Self> {
                match code {
                    $($code => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// The kebab-case name of this value.
            pub const fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// The value whose kebab-case name is `name`.
            pub fn from_name(name: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.name() == name)
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl $crate::claims::de::Code for $name {
            fn from_code(code: u64) -> Option<Self> {
                $name::from_code(code)
            }
            fn code(self) -> u64 {
                $name::code(self)
            }
            fn all() -> &'static [Self] {
                $name::ALL
            }
            fn name(self) -> &'static str {
                $name::name(self)
            }
        }
    };
}

/// Adds the members every layer has (unknown claims, builder plumbing) to a
/// layer type and its builder.
macro_rules! layer_common {
    ($layer:ident, $builder:ident, $which:expr) => {
        impl $layer {
            /// Which layer this is.
            pub const LAYER: $crate::claims::Layer = $which;

            /// Starts a builder for this layer; `evidence_source` is required.
            pub fn builder(evidence_source: $crate::claims::EvidenceSource) -> $builder {
                $builder {
                    layer: $layer::new(evidence_source),
                }
            }

            /// Claims of this layer that the profile does not define, preserved
            /// as received.
            pub fn unknown(&self) -> &$crate::claims::UnknownClaims {
                &self.unknown
            }

            /// Adds a claim the profile does not define to this layer, returning
            /// the value it replaces.
            ///
            /// Fails with [`ClaimsError::InvalidValue`](crate::ClaimsError::InvalidValue)
            /// if `key` is a claim this layer defines (set the typed field
            /// instead) or `value` holds a map with duplicate keys.
            pub fn insert_unknown(
                &mut self,
                key: impl Into<$crate::claims::ClaimKey>,
                value: ciborium::value::Value,
            ) -> Result<Option<ciborium::value::Value>, $crate::ClaimsError> {
                self.unknown
                    .insert_checked($crate::claims::Scope::Layer($which), key.into(), value)
            }

            /// Removes an unknown claim, returning its value.
            pub fn remove_unknown(
                &mut self,
                key: &$crate::claims::ClaimKey,
            ) -> Option<ciborium::value::Value> {
                self.unknown.remove(key)
            }

            /// Reports this layer's own unknown claims.
            fn report_claims(&self, out: &mut alloc::vec::Vec<$crate::claims::UnknownClaim>) {
                let scope = $crate::claims::Scope::Layer($which);
                self.unknown.report(scope, scope.path(), out);
            }

            /// Decodes this layer from its claims-set map (the value under its
            /// name in `submods`). Error paths start with `submods.<layer>`.
            pub fn from_value(value: &ciborium::value::Value) -> Result<Self, $crate::ClaimsError> {
                let submods = $crate::claims::de::Path::ROOT.field($crate::claims::names::SUBMODS);
                let path = submods.field($which.name());
                Self::decode(value, &path)
            }
        }

        impl $builder {
            /// Adds a claim the profile does not define; see
            #[doc = concat!("[`", stringify!($layer), "::insert_unknown`].")]
            pub fn unknown(
                mut self,
                key: impl Into<$crate::claims::ClaimKey>,
                value: ciborium::value::Value,
            ) -> Result<Self, $crate::ClaimsError> {
                self.layer.insert_unknown(key, value)?;
                Ok(self)
            }

            /// Finishes the layer.
            pub fn build(self) -> $layer {
                self.layer
            }
        }
    };
}

/// Adds the detection accessors to a layer that has a `measres` claim.
macro_rules! layer_detections {
    ($layer:ident, $builder:ident, $which:expr) => {
        impl $layer {
            /// Reports `measres` groups of other systems and mtattest results
            /// this layer does not define.
            fn report_measres(&self, out: &mut alloc::vec::Vec<$crate::claims::UnknownClaim>) {
                let prefix =
                    alloc::format!("{}.measres", $crate::claims::Scope::Layer($which).path());
                self.measres.report($which, &prefix, out);
            }

            /// The result of the mtattest detection `name` (see
            /// [`keys::detection`](crate::claims::keys::detection)), read from
            /// `measres` under the measurement system
            /// [`MEASRES_SYSTEM`](crate::claims::keys::MEASRES_SYSTEM).
            ///
            /// `None` means the layer does not report it, which appraisal must
            /// treat like [`MeasResult::NotRun`](crate::claims::MeasResult::NotRun),
            /// never as success.
            pub fn detection(&self, name: &str) -> Option<$crate::claims::MeasResult> {
                self.measres.detection(name)
            }

            /// Sets (or replaces) the result of the mtattest detection `name`.
            pub fn set_detection(&mut self, name: &str, result: $crate::claims::MeasResult) {
                self.measres.set_detection(name, result);
            }
        }

        impl $builder {
            /// Sets (or replaces) the result of the mtattest detection `name`.
            pub fn detection(mut self, name: &str, result: $crate::claims::MeasResult) -> Self {
                self.layer.set_detection(name, result);
                self
            }

            /// Sets (or replaces) a `measres` result under any measurement system.
            pub fn measurement_result(
                mut self,
                system: &str,
                result_for: impl Into<$crate::claims::ResultFor>,
                result: $crate::claims::MeasResult,
            ) -> Self {
                self.layer.measres.set(system, result_for.into(), result);
                self
            }
        }
    };
}
