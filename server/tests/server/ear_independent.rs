//! The EAR JWT checked by an independent implementation, Veraison's own
//! `ear` crate, with nothing but the discovery document's key. (The crate
//! reads the draft-04 form; PyJWT in `server/scripts/live-check` checks the
//! default Veraison 2023 form.)

use crate::common::{client, new_session, pki, post_evidence, send, unb64, Config, Server};

#[tokio::test]
async fn veraisons_ear_crate_verifies_the_result_with_the_discovery_key() {
    let config = Config::new("", "ear-profile = \"ietf-draft-04\"");
    let server = Server::start(&config.path);
    let discovery = send(client().get(server.url("/.well-known/veraison/verification")))
        .await
        .json();
    let jwk = serde_json::to_vec(&discovery["ear-verification-key"]).unwrap();

    let (path, session) = new_session(&server, "nonceSize=32").await;
    let nonce = unb64(session["nonce"].as_str().unwrap());
    let r = post_evidence(&server, &path, &pki::token(&nonce)).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let jwt = r.json()["result"].as_str().unwrap().to_string();

    let ear = ear::Ear::from_jwt_jwk(&jwt, ear::Algorithm::ES256, &jwk)
        .expect("the ear crate verifies it");
    assert_eq!(ear.profile, "tag:ietf.org,2026:rats/ear#04");
    assert_eq!(ear.submods["device"].status, ear::TrustTier::Affirming);
    assert_eq!(
        ear.submods["device"].policy_ids,
        vec!["payment".to_string()]
    );
    assert_eq!(ear.status, Some(ear::TrustTier::Affirming));
    assert_eq!(ear.vid.developer, "mtattest");
    let echoed = ear.nonce.expect("the nonce is echoed");
    assert_eq!(
        serde_json::to_value(&echoed).unwrap(),
        crate::common::b64url(&nonce)
    );

    // A result re-signed by anyone else does not verify with that key.
    let other = Config::new("", "ear-profile = \"ietf-draft-04\"");
    std::fs::write(other.file("ear-key.pem"), pki::other_ear_key_pem()).unwrap();
    let impostor = Server::start(&other.path);
    let (path, session) = new_session(&impostor, "").await;
    let r = post_evidence(
        &impostor,
        &path,
        &pki::token(&unb64(session["nonce"].as_str().unwrap())),
    )
    .await;
    let forged = r.json()["result"].as_str().unwrap().to_string();
    assert!(ear::Ear::from_jwt_jwk(&forged, ear::Algorithm::ES256, &jwk).is_err());
}
