//! The `iot` preset (spec §11.3.3): the example camera, a device with no
//! app and no runtime layer, affirmed under it, and the same camera with
//! debug enabled, denied. Expected verdicts are written from the spec's
//! preset table.

use super::appraisal_files::IOT;
use super::fixtures::{challenge, IAT};
use super::valid::token;
use super::{CaseSpec, Gen};
use crate::example_camera;
use mtattest::claims::DebugStatus;
use mtattest::error::Error;

pub(super) fn valid_cases(gen: &mut Gen) -> Result<(), Error> {
    let chain = gen.pki.chain();
    let device = gen.pki.device.signer()?;

    let camera = example_camera(IAT, challenge());
    gen.add(
        CaseSpec::valid(
            "valid-appraisal-iot-camera-affirming",
            "The example IoT camera (chip, boot, os and network layers; no app and no runtime \
             layer) under the iot policy: affirming, allow. No rule needs an app layer or an \
             app signer (spec §11.3.3).",
            token(&chain, camera.to_cbor(), &device)?,
            &camera,
        )
        .appraise(IOT, None, "affirming", "allow", &[]),
    )?;

    let mut debuggable = example_camera(IAT, challenge());
    if let Some(chip) = debuggable.chip.as_mut() {
        chip.dbgstat = Some(DebugStatus::Enabled);
    }
    gen.add(
        CaseSpec::valid(
            "valid-appraisal-iot-camera-debug-enabled",
            "The example IoT camera with debug enabled (dbgstat enabled): the iot policy's \
             debug-disabled rule contraindicates it (spec §11.3.3), deny.",
            token(&chain, debuggable.to_cbor(), &device)?,
            &debuggable,
        )
        .appraise(
            IOT,
            None,
            "contraindicated",
            "deny",
            &[("debug-disabled", "submods.chip.dbgstat", "mismatch", None)],
        ),
    )?;
    Ok(())
}
