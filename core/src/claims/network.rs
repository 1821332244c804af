//! The `network` layer: the terminal's communication connections (spec §6.9a).
//!
//! The detections of this layer (TLS interception, DNS tampering) are
//! `measres` results named in [`keys::detection`]; the claims report the
//! transport, the Wi-Fi link's protection and what redirects or inspects the
//! app's traffic.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use ciborium::value::Value;

use super::de::{self, Path};
use super::keys;
use super::names::{Layer, Scope};
use super::types::EvidenceSource;
use super::unknown::{UnknownClaim, UnknownClaims};
use super::MeasurementResults;
use crate::error::ClaimsError;

code_enum! {
    /// The active transport that carries the app's traffic.
    pub enum Connection {
        /// No connection.
        None = 0 => "none",
        /// The carrier's mobile network.
        Cellular = 1 => "cellular",
        /// Wi-Fi; its protection is [`WifiSecurity`].
        Wifi = 2 => "wifi",
        /// Wired Ethernet.
        Ethernet = 3 => "ethernet",
        /// Any other transport (Bluetooth tethering, satellite, ...).
        Other = 4 => "other",
    }
}

code_enum! {
    /// The security of the Wi-Fi link in use. The codes are not an order of
    /// strength (`enterprise` is not "stronger" than `wpa3`), so no `Ord`.
    pub enum WifiSecurity {
        /// No encryption (an open network, captive portal or not).
        Open = 0 => "open",
        /// WEP.
        Wep = 1 => "wep",
        /// WPA-Personal (TKIP).
        Wpa = 2 => "wpa",
        /// WPA2-Personal.
        Wpa2 = 3 => "wpa2",
        /// WPA3-Personal (SAE) or OWE.
        Wpa3 = 4 => "wpa3",
        /// WPA2/WPA3-Enterprise (802.1X).
        Enterprise = 5 => "enterprise",
    }
}

/// The `network` layer: communication connections.
#[derive(Clone, Debug, PartialEq)]
pub struct NetworkLayer {
    /// Where these values come from (required; usually software).
    pub evidence_source: EvidenceSource,
    /// The active transport.
    pub connection: Option<Connection>,
    /// The Wi-Fi link's security; only with [`Connection::Wifi`] (a token
    /// with it under another connection is refused, and so is one built so).
    pub wifi_security: Option<WifiSecurity>,
    /// An HTTP(S) proxy is configured for the app's traffic.
    pub proxy: Option<bool>,
    /// A VPN is active.
    pub vpn: Option<bool>,
    /// Encrypted DNS is configured.
    pub private_dns: Option<bool>,
    /// User-installed CA certificates the app's TLS stack trusts; `None`
    /// means not observable, never zero.
    pub user_ca_certificates: Option<u64>,
    /// `measres` (274): detection results; empty means absent.
    pub measres: MeasurementResults,
    unknown: UnknownClaims,
}

/// Builds a [`NetworkLayer`]; start with [`NetworkLayer::builder`].
#[derive(Clone, Debug)]
pub struct NetworkLayerBuilder {
    layer: NetworkLayer,
}

layer_common!(NetworkLayer, NetworkLayerBuilder, Layer::Network);
layer_detections!(NetworkLayer, NetworkLayerBuilder, Layer::Network);

impl NetworkLayer {
    /// A layer with only its evidence source.
    pub fn new(evidence_source: EvidenceSource) -> Self {
        NetworkLayer {
            evidence_source,
            connection: None,
            wifi_security: None,
            proxy: None,
            vpn: None,
            private_dns: None,
            user_ca_certificates: None,
            measres: MeasurementResults::new(),
            unknown: UnknownClaims::default(),
        }
    }

    pub(crate) fn report_unknown(&self, out: &mut Vec<UnknownClaim>) {
        self.report_claims(out);
        self.report_measres(out);
    }

    pub(crate) fn decode(value: &Value, path: &Path<'_>) -> Result<Self, ClaimsError> {
        let scope = Scope::Layer(Layer::Network);
        let mut evidence_source = None;
        let mut layer = NetworkLayer::new(EvidenceSource::Software);
        let mut measres = None;
        for (key, v) in de::claims_map(value, path)? {
            let Some((k, name)) = super::known(scope, &key) else {
                layer.unknown.insert_decoded(key, v, path)?;
                continue;
            };
            let p = path.field(name);
            let l = &mut layer;
            match k {
                keys::EVIDENCE_SOURCE => de::put(&mut evidence_source, de::code(v, &p)?, &p)?,
                keys::CONNECTION => de::put(&mut l.connection, de::code(v, &p)?, &p)?,
                keys::WIFI_SECURITY => de::put(&mut l.wifi_security, de::code(v, &p)?, &p)?,
                keys::PROXY => de::put(&mut l.proxy, de::bool_(v, &p)?, &p)?,
                keys::VPN => de::put(&mut l.vpn, de::bool_(v, &p)?, &p)?,
                keys::PRIVATE_DNS => de::put(&mut l.private_dns, de::bool_(v, &p)?, &p)?,
                keys::USER_CA_CERTIFICATES => {
                    de::put(&mut l.user_ca_certificates, de::uint(v, &p)?, &p)?
                }
                keys::MEASRES => de::put(&mut measres, MeasurementResults::decode(v, &p)?, &p)?,
                _ => l.unknown.insert_decoded(key, v, path)?,
            }
        }
        layer.evidence_source =
            evidence_source.ok_or_else(|| de::missing(&path.field("evidence-source")))?;
        layer.measres = measres.unwrap_or_default();
        layer.check_wifi_security(path)?;
        Ok(layer)
    }

    /// §6.9a: a Wi-Fi security level describes a Wi-Fi link, so it needs
    /// `connection` wifi; otherwise an appraiser could read one for a
    /// cellular connection.
    /// The producer checks it too (`TokenBuilder::sign`): the layer's
    /// fields are public, so a claims set can hold this pair. The message is
    /// assembled without `core::fmt`, which the producer path leaves out
    /// (spec §8.4, docs/firmware.md).
    pub(crate) fn check_wifi_security(&self, path: &Path<'_>) -> Result<(), ClaimsError> {
        match (self.wifi_security, self.connection) {
            (None, _) | (Some(_), Some(Connection::Wifi)) => Ok(()),
            (Some(_), None) => Err(de::invalid(
                &path.field("wifi-security"),
                "is present without connection (it needs connection wifi)",
            )),
            (Some(_), Some(other)) => {
                let mut why = String::from("is present with connection ");
                why.push_str(other.name());
                why.push_str(" (it needs connection wifi)");
                Err(de::invalid(&path.field("wifi-security"), why))
            }
        }
    }

    /// Encodes this layer as a claims-set map.
    pub fn to_value(&self) -> Value {
        let mut m = vec![(
            Value::Integer(keys::EVIDENCE_SOURCE.into()),
            de::code_value(self.evidence_source),
        )];
        let mut put = |key: i64, v: Value| m.push((Value::Integer(key.into()), v));
        if let Some(x) = self.connection {
            put(keys::CONNECTION, de::code_value(x));
        }
        if let Some(x) = self.wifi_security {
            put(keys::WIFI_SECURITY, de::code_value(x));
        }
        if let Some(x) = self.proxy {
            put(keys::PROXY, Value::Bool(x));
        }
        if let Some(x) = self.vpn {
            put(keys::VPN, Value::Bool(x));
        }
        if let Some(x) = self.private_dns {
            put(keys::PRIVATE_DNS, Value::Bool(x));
        }
        if let Some(x) = self.user_ca_certificates {
            put(keys::USER_CA_CERTIFICATES, Value::Integer(x.into()));
        }
        if !self.measres.is_empty() {
            put(keys::MEASRES, self.measres.to_value());
        }
        self.unknown.write(&mut m);
        super::sorted_map(m)
    }
}

impl NetworkLayerBuilder {
    /// Sets the transport. For Wi-Fi with a known protection use
    /// [`wifi`](Self::wifi).
    pub fn connection(mut self, connection: Connection) -> Self {
        self.layer.connection = Some(connection);
        if connection != Connection::Wifi {
            self.layer.wifi_security = None;
        }
        self
    }

    /// Sets the transport to Wi-Fi with the link's protection (the two
    /// claims go together, §6.9a).
    pub fn wifi(mut self, security: WifiSecurity) -> Self {
        self.layer.connection = Some(Connection::Wifi);
        self.layer.wifi_security = Some(security);
        self
    }

    /// Whether an HTTP(S) proxy is configured for the app's traffic.
    pub fn proxy(mut self, configured: bool) -> Self {
        self.layer.proxy = Some(configured);
        self
    }

    /// Whether a VPN is active.
    pub fn vpn(mut self, active: bool) -> Self {
        self.layer.vpn = Some(active);
        self
    }

    /// Whether encrypted DNS is configured.
    pub fn private_dns(mut self, configured: bool) -> Self {
        self.layer.private_dns = Some(configured);
        self
    }

    /// The number of user-installed CA certificates the app's TLS stack
    /// trusts (0 when there are none).
    pub fn user_ca_certificates(mut self, count: u64) -> Self {
        self.layer.user_ca_certificates = Some(count);
        self
    }
}
