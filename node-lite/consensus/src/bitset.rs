//! A growable bitset over committee or eligible-set positions (64 bits a word).

use borsh::{BorshDeserialize, BorshSerialize};

/// A set of positions; unused trailing words are never stored, so equal sets encode equally.
#[derive(BorshSerialize, BorshDeserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct Bitset(Vec<u64>);

impl Bitset {
    /// Adds `position`.
    pub fn insert(&mut self, position: usize) {
        let word = position / 64;
        if self.0.len() <= word {
            self.0.resize(word + 1, 0);
        }
        self.0[word] |= 1 << (position % 64);
    }

    /// Whether `position` is in the set.
    pub fn contains(&self, position: usize) -> bool {
        self.0
            .get(position / 64)
            .is_some_and(|w| w & (1 << (position % 64)) != 0)
    }

    /// The positions, ascending.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().enumerate().flat_map(|(i, word)| {
            (0..64)
                .filter(move |b| word & (1u64 << b) != 0)
                .map(move |b| i * 64 + b)
        })
    }

    /// How many positions.
    pub fn len(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }

    /// One past the highest position the words can hold.
    pub fn capacity(&self) -> usize {
        self.0.len() * 64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_iter_and_count() {
        let mut set = Bitset::default();
        for p in [0, 5, 63, 64, 200] {
            set.insert(p);
        }
        assert_eq!(set.iter().collect::<Vec<_>>(), vec![0, 5, 63, 64, 200]);
        assert_eq!(set.len(), 5);
        assert!(set.contains(64) && !set.contains(65) && !set.contains(10_000));
        assert_eq!(set.capacity(), 256);
    }
}
