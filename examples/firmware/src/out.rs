//! Output over semihosting without `core::fmt`: numbers and hex are
//! written by hand so the firmware links no formatting machinery.

use cortex_m_semihosting::hio;

fn write(bytes: &[u8]) {
    if let Ok(mut stdout) = hio::hstdout() {
        // Nothing to do if the host is gone: the exit status still tells.
        let _ = stdout.write_all(bytes);
    }
}

/// `name: value\n`.
pub fn line(name: &str, value: &[u8]) {
    write(name.as_bytes());
    write(b": ");
    write(value);
    write(b"\n");
}

/// `name: N\n`, N in decimal.
pub fn number(name: &str, mut value: usize) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    line(name, &digits[start..]);
}

/// `name: HEX\n`, lowercase, in chunks so no buffer holds it all.
pub fn hex(name: &str, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    write(name.as_bytes());
    write(b": ");
    for chunk in bytes.chunks(64) {
        let mut text = [0u8; 128];
        for (pair, byte) in text.chunks_exact_mut(2).zip(chunk) {
            pair[0] = DIGITS[usize::from(byte >> 4)];
            pair[1] = DIGITS[usize::from(byte & 0x0f)];
        }
        write(&text[..2 * chunk.len()]);
    }
    write(b"\n");
}
