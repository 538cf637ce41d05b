//! Variable- and fixed-base X25519 from AWS-LC (its s2n-bignum code paths). This is the one
//! operation that bounds decryption speed (one per encrypted field), and `make bench-x25519`
//! measured AWS-LC's at about 1.2x libsodium's rate on these machines, so it is the one used.

use zeroize::Zeroizing;

use super::CryptoError;
use super::KEY_LEN;
use super::aws_lc::init;

/// One variable-base X25519 operation. Fails for low-order points, whose shared secret is all
/// zeros (libsodium's `crypto_scalarmult` fails for the same inputs; the shared vectors check it).
pub fn x25519(
    scalar: &[u8; KEY_LEN],
    point: &[u8; KEY_LEN],
) -> Result<Zeroizing<[u8; KEY_LEN]>, CryptoError> {
    init();
    let mut shared = Zeroizing::new([0u8; KEY_LEN]);
    // SAFETY: the three buffers are 32 bytes, as X25519 requires. It returns 0 when the result
    // is all zeros (a low-order point).
    let ok = unsafe { aws_lc_sys::X25519(shared.as_mut_ptr(), scalar.as_ptr(), point.as_ptr()) };
    if ok != 1 {
        return Err(CryptoError::KeyExchange);
    }
    Ok(shared)
}

/// The public key of a secret scalar: X25519(scalar, basepoint), with clamping.
pub fn x25519_base(scalar: &[u8; KEY_LEN]) -> [u8; KEY_LEN] {
    init();
    let mut public = [0u8; KEY_LEN];
    // SAFETY: both buffers are 32 bytes; the function cannot fail.
    unsafe { aws_lc_sys::X25519_public_from_private(public.as_mut_ptr(), scalar.as_ptr()) };
    public
}
