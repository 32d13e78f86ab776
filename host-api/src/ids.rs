//! The 32-byte identities the host gives contracts.

use borsh::{BorshDeserialize, BorshSerialize};
use core::fmt;
use core::str::FromStr;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, BorshSerialize,
            BorshDeserialize,
        )]
        pub struct $name(pub [u8; 32]);

        impl $name {
            /// The raw bytes.
            pub const fn as_bytes(&self) -> &[u8; 32] {
                &self.0
            }
        }

        impl From<[u8; 32]> for $name {
            fn from(bytes: [u8; 32]) -> Self {
                Self(bytes)
            }
        }

        impl fmt::Display for $name {
            /// Lower-case hex, 64 characters.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                for b in self.0 {
                    write!(f, "{b:02x}")?;
                }
                Ok(())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self)
            }
        }

        impl FromStr for $name {
            type Err = IdParseError;

            /// 64 hex characters, optionally prefixed by `0x`.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                parse_hex32(s).map(Self)
            }
        }
    };
}

id_type!(
    /// Who can call a contract or hold a balance: an account or a contract.
    Address
);
id_type!(
    /// A deployed contract. Derived by the runtime from owner, code hash and nonce.
    ContractId
);

impl Address {
    /// The caller of **host-only** entry points: the node itself (genesis, fees, rewards,
    /// slashing). Only the host's `Session::call_protocol` calls as this address — an ordinary
    /// call that names it as caller is refused before it runs — and no contract id can equal it
    /// (ids are blake2b outputs), so a contract that checks `caller() == Address::PROTOCOL`
    /// knows the node called it. The bytes spell `sandbox-protocol-caller-v1` and six zeros.
    pub const PROTOCOL: Address = Address(*b"sandbox-protocol-caller-v1\0\0\0\0\0\0");
}

impl From<ContractId> for Address {
    /// A contract acting as a caller or a holder has the address of its id.
    fn from(id: ContractId) -> Self {
        Address(id.0)
    }
}

/// A string that is not 64 hex characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdParseError {
    /// Not 64 hex digits long (after an optional `0x`).
    Length(usize),
    /// A character that is not a hex digit.
    NotHex,
}

impl fmt::Display for IdParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Length(n) => write!(f, "expected 64 hex digits, got {n}"),
            Self::NotHex => f.write_str("not a hex digit"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for IdParseError {}

fn parse_hex32(s: &str) -> Result<[u8; 32], IdParseError> {
    let s = s.strip_prefix("0x").unwrap_or(s);
    if s.len() != 64 {
        return Err(IdParseError::Length(s.len()));
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Ok(c - b'0'),
        b'a'..=b'f' => Ok(c - b'a' + 10),
        b'A'..=b'F' => Ok(c - b'A' + 10),
        _ => Err(IdParseError::NotHex),
    };
    let mut out = [0u8; 32];
    for (i, pair) in s.as_bytes().chunks_exact(2).enumerate() {
        out[i] = (digit(pair[0])? << 4) | digit(pair[1])?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn hex_round_trip() {
        let a = Address([0xab; 32]);
        let s = a.to_string();
        assert_eq!(s.len(), 64);
        assert_eq!(s.parse::<Address>(), Ok(a));
        assert_eq!(alloc::format!("0x{s}").parse::<Address>(), Ok(a));
    }

    #[test]
    fn bad_hex_is_refused() {
        assert_eq!("abc".parse::<Address>(), Err(IdParseError::Length(3)));
        let s = "zz".repeat(32);
        assert_eq!(s.parse::<ContractId>(), Err(IdParseError::NotHex));
    }
}
