//! Stratified K-fold splits, identical to scikit-learn 1.9's
//! `StratifiedKFold(n_splits, shuffle=True, random_state=seed)`.
//!
//! # What is reproduced, exactly
//!
//! For every label vector, `n_splits` and integer seed, [`StratifiedKFold::test_folds`]
//! returns the same test-fold number per example as scikit-learn's `_make_test_folds`
//! (and so the same `(train, test)` index lists as its `split`), bit for bit:
//!
//! 1. Classes are numbered by **order of first appearance** in the labels (not by value).
//! 2. The encoded labels are sorted, and position `p` of the sorted vector is dealt to fold
//!    `p mod n_splits`; the per-class fold sizes are the counts of each class in each fold.
//! 3. For each class in that first-appearance order, the list of fold numbers
//!    `0,0,…,1,1,…` (each repeated by its size) is shuffled with numpy's legacy
//!    `RandomState(seed).shuffle` (one generator for all classes, used in class order) and
//!    assigned to the class's examples in index order.
//!
//! The checks are scikit-learn's, in its order: `n_splits >= 2`
//! ([`LearnError::TooFewSplits`]); a seed without shuffling
//! ([`LearnError::SeedWithoutShuffle`]); `n_splits <= N`
//! ([`LearnError::MoreSplitsThanSamples`]); at least one class with `n_splits` members
//! ([`LearnError::TooFewMembers`]); and the warning
//! [`LearnWarning::LeastPopulatedClass`] when the rarest class has fewer members than
//! folds (its examples then land in distinct folds, and some folds have none of them).
//!
//! `seed = None` stands for scikit-learn's `random_state=None` (numpy's global generator):
//! a seed is drawn from the operating system's randomness, so the folds differ per call.
//! Labels may be any `usize` values (they need not be `0..K`).
//!
//! ```
//! use cl_learn::folds::StratifiedKFold;
//!
//! let labels = [0, 0, 0, 1, 1, 1, 2, 2, 2, 2];
//! let folds = StratifiedKFold::new(3)?.seed(Some(0)).test_folds(&labels)?;
//! // Python: StratifiedKFold(3, shuffle=True, random_state=0).split(X, labels)
//! assert_eq!(folds.test_fold, vec![2, 1, 0, 2, 0, 1, 0, 1, 0, 2]);
//! let (train, test) = folds.split(0);
//! assert_eq!(test, vec![2, 4, 6, 8]);
//! assert_eq!(train.len() + test.len(), labels.len());
//! # Ok::<(), cl_learn::LearnError>(())
//! ```

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

use cl_core::CoreError;
use cl_core::rng::NumpyRng;

use crate::error::{LearnError, LearnWarning, Result};

/// scikit-learn's `StratifiedKFold`, with cleanlab's `shuffle=True` as the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StratifiedKFold {
    n_splits: usize,
    shuffle: bool,
    seed: Option<u32>,
}

impl StratifiedKFold {
    /// `n_splits` folds, shuffled, no seed (as cleanlab constructs it, `seed=None`).
    ///
    /// Errors: `n_splits < 2` ([`LearnError::TooFewSplits`], scikit-learn's message).
    pub fn new(n_splits: usize) -> Result<Self> {
        if n_splits < 2 {
            return Err(LearnError::TooFewSplits { n_splits });
        }
        Ok(Self {
            n_splits,
            shuffle: true,
            seed: None,
        })
    }

    /// Sets whether each class's fold list is shuffled (default `true`).
    #[must_use]
    pub fn shuffle(mut self, shuffle: bool) -> Self {
        self.shuffle = shuffle;
        self
    }

    /// Sets the seed (`random_state`); `None` draws a fresh seed per call.
    #[must_use]
    pub fn seed(mut self, seed: Option<u32>) -> Self {
        self.seed = seed;
        self
    }

    /// The number of folds.
    pub fn n_splits(&self) -> usize {
        self.n_splits
    }

    /// The test fold of every example (scikit-learn's `_make_test_folds`), with the
    /// warnings scikit-learn would emit.
    pub fn test_folds(&self, labels: &[usize]) -> Result<Folds> {
        if !self.shuffle && self.seed.is_some() {
            return Err(LearnError::SeedWithoutShuffle);
        }
        let n = labels.len();
        if n == 0 {
            return Err(CoreError::Empty { what: "labels" }.into());
        }
        if self.n_splits > n {
            return Err(LearnError::MoreSplitsThanSamples {
                n_splits: self.n_splits,
                n_samples: n,
            });
        }
        // Classes by order of first appearance.
        let mut code_of: HashMap<usize, usize> = HashMap::new();
        let encoded: Vec<usize> = labels
            .iter()
            .map(|&y| {
                let next = code_of.len();
                *code_of.entry(y).or_insert(next)
            })
            .collect();
        let num_classes = code_of.len();
        let mut counts = vec![0usize; num_classes];
        for &c in &encoded {
            counts[c] += 1;
        }
        if counts.iter().all(|&c| c < self.n_splits) {
            return Err(LearnError::TooFewMembers {
                n_splits: self.n_splits,
            });
        }
        let mut warnings = Vec::new();
        let min_members = counts.iter().copied().min().unwrap_or(0);
        if min_members < self.n_splits {
            warnings.push(LearnWarning::LeastPopulatedClass {
                min_members,
                n_splits: self.n_splits,
            });
        }
        // allocation[fold][class]: dealing the sorted encoded labels round-robin.
        let mut allocation = vec![vec![0usize; num_classes]; self.n_splits];
        let mut pos = 0usize;
        for (class, &count) in counts.iter().enumerate() {
            for _ in 0..count {
                allocation[pos % self.n_splits][class] += 1;
                pos += 1;
            }
        }
        let mut rng = self
            .shuffle
            .then(|| NumpyRng::new(self.seed.unwrap_or_else(entropy_seed)));
        let mut members: Vec<Vec<usize>> = counts.iter().map(|&c| Vec::with_capacity(c)).collect();
        for (i, &c) in encoded.iter().enumerate() {
            members[c].push(i);
        }
        let mut test_fold = vec![0usize; n];
        for (class, idx) in members.iter().enumerate() {
            let mut folds_for_class: Vec<usize> = Vec::with_capacity(idx.len());
            for (fold, alloc) in allocation.iter().enumerate() {
                folds_for_class.extend(std::iter::repeat_n(fold, alloc[class]));
            }
            if let Some(rng) = rng.as_mut() {
                rng.shuffle(&mut folds_for_class);
            }
            for (&i, &f) in idx.iter().zip(&folds_for_class) {
                test_fold[i] = f;
            }
        }
        Ok(Folds {
            test_fold,
            n_splits: self.n_splits,
            warnings,
        })
    }
}

/// A seed from the operating system's randomness (std's randomly keyed hasher).
fn entropy_seed() -> u32 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    (h.finish() >> 32) as u32
}

/// The fold assignment of a [`StratifiedKFold`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folds {
    /// The test fold (in `0..n_splits`) of every example.
    pub test_fold: Vec<usize>,
    /// The number of folds.
    pub n_splits: usize,
    /// scikit-learn's warnings ([`LearnWarning::LeastPopulatedClass`]).
    pub warnings: Vec<LearnWarning>,
}

impl Folds {
    /// Ascending indices of the examples in test fold `fold`.
    pub fn test_indices(&self, fold: usize) -> Vec<usize> {
        (0..self.test_fold.len())
            .filter(|&i| self.test_fold[i] == fold)
            .collect()
    }

    /// Ascending indices of the examples outside test fold `fold`.
    pub fn train_indices(&self, fold: usize) -> Vec<usize> {
        (0..self.test_fold.len())
            .filter(|&i| self.test_fold[i] != fold)
            .collect()
    }

    /// `(train, test)` indices of fold `fold`, as scikit-learn's `split` yields them.
    pub fn split(&self, fold: usize) -> (Vec<usize>, Vec<usize>) {
        (self.train_indices(fold), self.test_indices(fold))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_in_sklearn_order() {
        assert_eq!(
            StratifiedKFold::new(1),
            Err(LearnError::TooFewSplits { n_splits: 1 })
        );
        let skf = StratifiedKFold::new(5).unwrap().seed(Some(0));
        assert_eq!(
            skf.test_folds(&[0, 1, 0]),
            Err(LearnError::MoreSplitsThanSamples {
                n_splits: 5,
                n_samples: 3
            })
        );
        assert_eq!(
            skf.test_folds(&[0, 1, 2, 3, 0, 1, 2, 3]),
            Err(LearnError::TooFewMembers { n_splits: 5 })
        );
        assert_eq!(
            StratifiedKFold::new(2)
                .unwrap()
                .shuffle(false)
                .seed(Some(1))
                .test_folds(&[0, 1]),
            Err(LearnError::SeedWithoutShuffle)
        );
    }

    #[test]
    fn unshuffled_blocks_and_warning() {
        let f = StratifiedKFold::new(3)
            .unwrap()
            .shuffle(false)
            .test_folds(&[5, 5, 5, 5, 2, 2, 2, 9])
            .unwrap();
        // class 5 first (4 members), then 2, then 9; sorted codes 0000 111 2 dealt 0,1,2,...
        assert_eq!(f.test_fold, vec![0, 0, 1, 2, 0, 1, 2, 1]);
        assert_eq!(
            f.warnings,
            vec![LearnWarning::LeastPopulatedClass {
                min_members: 1,
                n_splits: 3
            }]
        );
    }
}
