//! One notation per value kind (spec §12.3): a `hwmodel` that is not text
//! is written `{"hex": …}` in the expected claims, one that is text as the
//! text (every other valid case). The expected JSON is the generator's
//! `to_json`, which the independent check recomputes from the spec.

use super::fixtures::{challenge, IAT};
use super::valid::token;
use super::{CaseSpec, Gen};
use crate::example_camera;
use mtattest::claims::HwModel;
use mtattest::error::Error;

pub(super) fn valid_cases(gen: &mut Gen) -> Result<(), Error> {
    let chain = gen.pki.chain();
    let device = gen.pki.device.signer()?;
    for (id, description, model) in [
        (
            "valid-hwmodel-not-utf8",
            "The example camera with a hwmodel that is not UTF-8 (ff fe 01): its JSON form is \
             {\"hex\": \"fffe01\"} (spec §12.3, label).",
            &b"\xff\xfe\x01"[..],
        ),
        (
            "valid-hwmodel-control-character",
            "The example camera with a hwmodel that is UTF-8 but holds a control character \
             (\"CamCo\\u0000C1\"): not text in the sense of spec §12.3, so its JSON form is \
             {\"hex\": \"43616d436f004331\"}.",
            &b"CamCo\x00C1"[..],
        ),
    ] {
        let mut camera = example_camera(IAT, challenge());
        camera.hwmodel = Some(HwModel::new(model.to_vec())?);
        gen.add(CaseSpec::valid(
            id,
            description,
            token(&chain, camera.to_cbor(), &device)?,
            &camera,
        ))?;
    }
    Ok(())
}
