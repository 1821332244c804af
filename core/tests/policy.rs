//! Policy loading: every malformed document is refused when loaded, each
//! with its own code; presets load and are what the spec lists.

use mtattest::appraisal::{Action, Policy, PolicyDocument, Preset, Severity};
use mtattest::claims::EvidenceSource;

const SIGNER: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";

fn code(json: &str) -> &'static str {
    Policy::from_json(json.as_bytes())
        .err()
        .map_or("ok", |e| e.code())
}

/// A document with one rule (given as JSON object members).
fn one_rule(members: &str) -> String {
    format!(r#"{{"id": "p", "rules": [{{"id": "r", {members}}}]}}"#)
}

#[test]
fn well_formed_rules_load() {
    for ok in [
        r#""claim": "submods.chip.key-security-level", "at-least": "tee", "min-source": "hardware", "on-fail": "warning""#,
        r#""claim": "submods.boot.bootloader-locked", "equals": true, "on-fail": "contraindicated""#,
        r#""claim": "submods.os.os-patch-level", "max-age-days": 90, "on-fail": "warning""#,
        r#""claim": "submods.os.os-patch-level", "at-least": 20250600, "on-fail": "warning""#,
        r#""claim": "submods.os.os-patch-level", "at-least": 20250601, "on-fail": "warning""#,
        r#""claim": "submods.runtime.measres.root", "equals": "success", "on-fail": "warning""#,
        r#""claim": "submods.runtime.malware", "at-most": "none", "on-fail": "warning""#,
        r#""claim": "submods.chip.dbgstat", "none-of": ["enabled", "disabled"], "on-fail": "warning""#,
        r#""claim": "submods.app.installer", "one-of": ["store", "oem-store"], "on-fail": "warning""#,
        r#""claim": "submods.app.app-version", "at-least": 4000, "on-fail": "warning""#,
        r#""claim": "submods.app.privacy-events.background", "at-most": 3, "on-fail": "warning""#,
        r#""claim": "submods.boot.evidence-source", "at-least": "hardware", "on-fail": "warning""#,
        r#""claim": "submods.chip.security-lifecycle", "equals": "secured", "on-fail": "warning""#,
        r#""claim": "oemid", "one-of": [32473, "0a0b0c"], "on-fail": "warning""#,
        r#""claim": "ueid", "present": true, "on-fail": "warning""#,
        r#""claim": "eat-nonce", "verified": true, "on-fail": "warning""#,
        r#""claim": "iat", "max-age-secs": 60, "on-fail": "warning""#,
        r#""claim": "submods.os.screen-lock", "equals": true, "on-fail": "warning", "component": "configuration""#,
    ] {
        assert_eq!(code(&one_rule(ok)), "ok", "{ok}");
    }
}

#[test]
fn syntax_errors() {
    for bad in [
        "not json",
        r#"{"id": "p", "rules": [{"id": "r"}]}"#,
        r#"{"id": "p", "colour": "red"}"#,
        &one_rule(r#""claim": "iat", "max-age-secs": 60, "on-fail": "maybe""#),
        &one_rule(r#""claim": "iat", "max-age-secs": -1, "on-fail": "warning""#),
        &one_rule(r#""claim": "iat", "max-age-secs": 60, "on-fail": "warning", "severity": 1"#),
        &one_rule(r#""claim": "submods.app.app-version", "at-least": 1.5, "on-fail": "warning""#),
        r#"{"rules": []}"#,
        r#"{"id": "p", "app-signers": ["00112233445566778899aabbccddeeff"]}"#,
        r#"{"id": "p", "actions": {"warning": "shrug"}}"#,
    ] {
        assert_eq!(code(bad), "policy.syntax", "{bad}");
    }
    let toml = Policy::from_toml("id = [").err().map(|e| e.code());
    assert_eq!(toml, Some("policy.syntax"));
}

#[test]
fn unknown_preset() {
    assert_eq!(code(r#"{"extends": "banking"}"#), "policy.unknown-preset");
}

#[test]
fn unknown_claim() {
    for claim in [
        "submods.chip.keylevel",
        "submods.gpu.key-security-level",
        "submods.runtime.measres.telepathy",
        "submods.os.measres.root",
        "hw_model",
        "submods.boot.bootloader-locked.extra",
    ] {
        let doc = one_rule(&format!(
            r#""claim": "{claim}", "present": true, "on-fail": "warning""#
        ));
        assert_eq!(code(&doc), "policy.unknown-claim", "{claim}");
    }
}

#[test]
fn claim_not_appraisable() {
    for claim in [
        "cnf",
        "exp",
        "submods.boot.measurements",
        "submods.runtime.measres",
    ] {
        let doc = one_rule(&format!(
            r#""claim": "{claim}", "present": true, "on-fail": "warning""#
        ));
        assert_eq!(code(&doc), "policy.claim-not-appraisable", "{claim}");
    }
}

#[test]
fn bad_values() {
    for members in [
        r#""claim": "submods.chip.key-security-level", "at-least": "titanium", "on-fail": "warning""#,
        r#""claim": "submods.chip.key-security-level", "at-least": 1, "on-fail": "warning""#,
        r#""claim": "submods.boot.bootloader-locked", "equals": "yes", "on-fail": "warning""#,
        r#""claim": "submods.os.os-patch-level", "at-least": 20251301, "on-fail": "warning""#,
        r#""claim": "submods.os.os-patch-level", "at-least": 202506, "on-fail": "warning""#,
        r#""claim": "submods.app.app-version", "at-least": -1, "on-fail": "warning""#,
        r#""claim": "submods.app.app-signers", "one-of": ["not hex"], "on-fail": "warning""#,
        r#""claim": "submods.app.app-signers", "one-of": ["abcd"], "on-fail": "warning""#,
        r#""claim": "submods.runtime.measres.root", "equals": "clean", "on-fail": "warning""#,
        r#""claim": "oemid", "equals": "0a0b", "on-fail": "warning""#,
        r#""claim": "submods.boot.verified-boot-state", "equals": "verified", "min-source": "tee", "on-fail": "warning""#,
    ] {
        assert_eq!(code(&one_rule(members)), "policy.bad-value", "{members}");
    }
}

#[test]
fn bad_checks() {
    for members in [
        r#""claim": "submods.boot.bootloader-locked", "on-fail": "warning""#,
        r#""claim": "submods.boot.bootloader-locked", "equals": true, "present": true, "on-fail": "warning""#,
        r#""claim": "submods.boot.bootloader-locked", "at-least": true, "on-fail": "warning""#,
        r#""claim": "submods.boot.verified-boot-state", "at-least": "verified", "on-fail": "warning""#,
        r#""claim": "submods.app.app-version", "max-age-days": 3, "on-fail": "warning""#,
        r#""claim": "submods.os.os-patch-level", "max-age-secs": 3, "on-fail": "warning""#,
        r#""claim": "hwmodel", "verified": true, "on-fail": "warning""#,
        r#""claim": "eat-nonce", "verified": false, "on-fail": "warning""#,
        r#""claim": "ueid", "present": false, "on-fail": "warning""#,
        r#""claim": "iat", "equals": 5, "on-fail": "warning""#,
        r#""claim": "submods.app.installer", "one-of": [], "on-fail": "warning""#,
        r#""claim": "hwmodel", "present": true, "min-source": "hardware", "on-fail": "warning""#,
    ] {
        assert_eq!(code(&one_rule(members)), "policy.bad-check", "{members}");
    }
}

#[test]
fn duplicate_rule() {
    let doc = r#"{"id": "p", "rules": [
        {"id": "r", "claim": "ueid", "present": true, "on-fail": "warning"},
        {"id": "r", "claim": "hwmodel", "present": true, "on-fail": "warning"}]}"#;
    assert_eq!(code(doc), "policy.duplicate-rule");
}

#[test]
fn unknown_rule_removed() {
    let doc = format!(
        r#"{{"extends": "payment", "app-signers": ["{SIGNER}"], "remove-rules": ["no-telepathy"]}}"#
    );
    assert_eq!(code(&doc), "policy.unknown-rule");
}

#[test]
fn missing_parameter() {
    for preset in Preset::ALL.into_iter().filter(|p| p.pins_app()) {
        let doc = format!(r#"{{"extends": "{}"}}"#, preset.name());
        assert_eq!(code(&doc), "policy.missing-parameter", "{}", preset.name());
        let doc = format!(
            r#"{{"extends": "{}", "app-signers": ["{SIGNER}"]}}"#,
            preset.name()
        );
        assert_eq!(code(&doc), "ok");
    }
    // Replacing the template rule also satisfies it.
    let doc = format!(
        r#"{{"extends": "payment", "rules": [{{"id": "app-signer", "claim": "submods.app.app-signers",
            "one-of": ["{SIGNER}"], "on-fail": "warning"}}]}}"#
    );
    let p = Policy::from_json(doc.as_bytes()).unwrap();
    assert_eq!(
        p.rule("app-signer").map(|r| r.severity()),
        Some(Severity::Warning)
    );
}

#[test]
fn presets_are_the_documented_ones() {
    let rules = |p: Preset| -> Vec<(String, String, Severity, Option<EvidenceSource>)> {
        let signers: &[[u8; 32]] = if p.pins_app() { &[[0u8; 32]] } else { &[] };
        Policy::preset(p, signers)
            .unwrap()
            .rules()
            .iter()
            .map(|r| {
                (
                    r.id().to_string(),
                    r.claim().to_string(),
                    r.severity(),
                    r.min_source(),
                )
            })
            .collect()
    };
    use EvidenceSource::Hardware as H;
    use Severity::{Contraindicated as C, Warning as W};
    let row = |id: &str, claim: &str, s, m| (id.to_string(), claim.to_string(), s, m);
    assert_eq!(
        rules(Preset::Payment),
        [
            row("key-level", "submods.chip.key-security-level", C, Some(H)),
            row("debug-disabled", "submods.chip.dbgstat", C, None),
            row(
                "boot-verified",
                "submods.boot.verified-boot-state",
                C,
                Some(H)
            ),
            row(
                "bootloader-locked",
                "submods.boot.bootloader-locked",
                C,
                Some(H)
            ),
            row("os-patch", "submods.os.os-patch-level", W, None),
            row("no-root", "submods.runtime.measres.root", C, None),
            row("no-hooking", "submods.runtime.measres.hooking", C, None),
            row("no-debugger", "submods.runtime.measres.debugger", C, None),
            row("no-emulator", "submods.runtime.measres.emulator", C, None),
            row("no-malware", "submods.runtime.malware", C, None),
            row(
                "no-tls-interception",
                "submods.network.measres.tls-interception",
                C,
                None
            ),
            row("no-proxy", "submods.network.proxy", W, None),
            row(
                "no-user-ca",
                "submods.network.user-ca-certificates",
                W,
                None
            ),
            row("app-signer", "submods.app.app-signers", C, None),
            row("nonce-bound", "eat-nonce", C, None),
            row("fresh", "iat", C, None),
        ]
    );
    assert_eq!(
        rules(Preset::Byod),
        [
            row("key-level", "submods.chip.key-security-level", W, Some(H)),
            row(
                "boot-verified",
                "submods.boot.verified-boot-state",
                C,
                Some(H)
            ),
            row(
                "bootloader-locked",
                "submods.boot.bootloader-locked",
                C,
                Some(H)
            ),
            row("os-patch", "submods.os.os-patch-level", W, None),
            row("screen-lock", "submods.os.screen-lock", W, None),
            row(
                "storage-encrypted",
                "submods.os.storage-encryption",
                W,
                None
            ),
            row("no-root", "submods.runtime.measres.root", C, None),
            row("no-hooking", "submods.runtime.measres.hooking", W, None),
            row("no-malware", "submods.runtime.malware", C, None),
            row(
                "no-tls-interception",
                "submods.network.measres.tls-interception",
                C,
                None
            ),
            row("app-signer", "submods.app.app-signers", C, None),
            row("nonce-bound", "eat-nonce", C, None),
            row("fresh", "iat", W, None),
        ]
    );
    assert_eq!(
        rules(Preset::Content),
        [
            row("key-level", "submods.chip.key-security-level", W, Some(H)),
            row(
                "boot-verified",
                "submods.boot.verified-boot-state",
                W,
                Some(H)
            ),
            row(
                "bootloader-locked",
                "submods.boot.bootloader-locked",
                W,
                Some(H)
            ),
            row("os-patch", "submods.os.os-patch-level", W, None),
            row("no-root", "submods.runtime.measres.root", C, None),
            row("no-hooking", "submods.runtime.measres.hooking", C, None),
            row(
                "no-screen-capture",
                "submods.runtime.measres.screen-capture",
                C,
                None
            ),
            row("no-emulator", "submods.runtime.measres.emulator", C, None),
            row(
                "no-tls-interception",
                "submods.network.measres.tls-interception",
                C,
                None
            ),
            row("no-vpn", "submods.network.vpn", W, None),
            row("app-signer", "submods.app.app-signers", C, None),
            row("fresh", "iat", W, None),
        ]
    );
    // The iot column of spec §11.3.3: no app, runtime or nonce rule.
    assert_eq!(
        rules(Preset::Iot),
        [
            row("device-identity", "ueid", C, None),
            row("key-level", "submods.chip.key-security-level", W, Some(H)),
            row("debug-disabled", "submods.chip.dbgstat", C, None),
            row(
                "boot-verified",
                "submods.boot.verified-boot-state",
                C,
                Some(H)
            ),
            row(
                "bootloader-locked",
                "submods.boot.bootloader-locked",
                W,
                Some(H)
            ),
            row("os-patch", "submods.os.os-patch-level", W, None),
            row(
                "no-tls-interception",
                "submods.network.measres.tls-interception",
                C,
                None
            ),
            row("fresh", "iat", W, None),
        ]
    );
    let actions = |p: Preset| {
        let signers: &[[u8; 32]] = if p.pins_app() { &[[0u8; 32]] } else { &[] };
        *Policy::preset(p, signers).unwrap().actions()
    };
    assert_eq!(actions(Preset::Payment).warning, Action::StepUp);
    assert_eq!(actions(Preset::Byod).warning, Action::StepUp);
    assert_eq!(actions(Preset::Content).warning, Action::Allow);
    assert_eq!(actions(Preset::Iot).warning, Action::StepUp);
    for p in Preset::ALL {
        assert_eq!(actions(p).contraindicated, Action::Deny);
        assert_eq!(actions(p).none, Action::Deny);
        assert_eq!(Preset::from_name(p.name()), Some(p));
    }
}

#[test]
fn documents_serialise_and_reload() {
    let p = Policy::preset(Preset::Byod, &[[7u8; 32]]).unwrap();
    let doc: PolicyDocument = p.to_document();
    assert_eq!(doc.extends, None);
    let again = Policy::from_document(doc).unwrap();
    assert_eq!(again.to_json(), p.to_json());
}
