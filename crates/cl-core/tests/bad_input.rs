//! One test per kind of bad input, asserting the typed error that names the problem.

use cl_core::CoreError;
use cl_core::input::{Labels, PredProbs, validate, validate_usize};
use ndarray::{Array2, array};

fn probs() -> Array2<f64> {
    array![[0.9, 0.1], [0.2, 0.8], [0.5, 0.5]]
}

#[test]
fn nan_in_pred_probs_names_row_and_column() {
    let mut p = probs();
    p[[1, 0]] = f64::NAN;
    match validate(&[0_i64, 1, 1], p.view()) {
        Err(CoreError::NonFinite {
            what,
            row,
            col,
            value,
        }) => {
            assert_eq!((what, row, col), ("pred_probs", 1, 0));
            assert!(value.is_nan());
        }
        other => panic!("expected NonFinite, got {other:?}"),
    }
}

#[test]
fn infinity_in_pred_probs_is_rejected() {
    let mut p = probs().mapv(|v| v as f32);
    p[[2, 1]] = f32::INFINITY;
    let err = validate(&[0_i32, 1, 1], p.view()).unwrap_err();
    assert!(
        matches!(err, CoreError::NonFinite { row: 2, col: 1, value, .. } if value == f64::INFINITY),
        "{err:?}"
    );
}

#[test]
fn negative_probability_is_out_of_range() {
    let mut p = probs();
    p[[0, 1]] = -0.01;
    let err = PredProbs::new(p.view()).unwrap_err();
    assert!(
        matches!(err, CoreError::OutOfRange { row: 0, col: 1, value, .. } if value == -0.01),
        "{err:?}"
    );
}

#[test]
fn probability_within_tolerance_is_accepted() {
    // cleanlab allows values in [-1e-6, 1 + 1e-6].
    let p = array![[1.0 + 5e-7, -5e-7], [0.5, 0.5]];
    assert!(PredProbs::new(p.view()).is_ok());
    let p = array![[1.0 + 2e-6, 0.0], [0.5, 0.5]];
    assert!(matches!(
        PredProbs::new(p.view()),
        Err(CoreError::OutOfRange { row: 0, col: 0, .. })
    ));
}

#[test]
fn negative_label_is_rejected() {
    let err = validate(&[0_i64, -1, 1], probs().view()).unwrap_err();
    assert_eq!(
        err,
        CoreError::LabelOutOfRange {
            row: 1,
            label: -1,
            num_classes: 2
        }
    );
}

#[test]
fn label_not_below_k_is_rejected() {
    let err = validate(&[0_u32, 1, 2], probs().view()).unwrap_err();
    assert_eq!(
        err,
        CoreError::LabelOutOfRange {
            row: 2,
            label: 2,
            num_classes: 2
        }
    );
    let err = validate_usize(&[0, 5, 1], probs().view()).unwrap_err();
    assert!(matches!(
        err,
        CoreError::LabelOutOfRange {
            row: 1,
            label: 5,
            ..
        }
    ));
}

#[test]
fn length_mismatch_is_a_shape_error() {
    let err = validate(&[0_i64, 1], probs().view()).unwrap_err();
    assert!(
        matches!(
            err,
            CoreError::Shape {
                what: "labels and pred_probs",
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn empty_inputs_are_rejected() {
    let p = Array2::<f64>::zeros((0, 3));
    assert_eq!(
        PredProbs::new(p.view()).unwrap_err(),
        CoreError::Empty { what: "pred_probs" }
    );
    let empty: [i64; 0] = [];
    assert_eq!(
        Labels::new(&empty, 3).unwrap_err(),
        CoreError::Empty { what: "labels" }
    );
    let p = Array2::<f64>::zeros((3, 0));
    assert!(matches!(
        PredProbs::new(p.view()),
        Err(CoreError::Shape { .. })
    ));
}

#[test]
fn single_class_fails_where_two_are_required() {
    let (labels, _) = validate(&[1_i64, 1, 1], probs().view()).unwrap();
    assert_eq!(
        labels.require_classes(2).unwrap_err(),
        CoreError::TooFewClasses {
            found: 1,
            required: 2
        }
    );
    assert!(labels.require_classes(1).is_ok());
}

#[test]
fn absent_classes_are_allowed_and_counted() {
    let p = array![[0.8, 0.1, 0.1], [0.7, 0.2, 0.1], [0.2, 0.1, 0.7]];
    let (labels, probs) = validate(&[0_i64, 0, 2], p.view()).unwrap();
    assert_eq!(labels.class_counts(), &[2, 0, 1]);
    assert_eq!(labels.missing_classes(), vec![1]);
    assert_eq!(labels.num_present_classes(), 2);
    assert_eq!(probs.num_rows(), 3);
}

#[test]
fn non_contiguous_views_are_validated_without_copy() {
    let p = probs();
    let t = p.t(); // 2×3, Fortran-ordered view
    let pp = PredProbs::new(t).unwrap();
    assert_eq!(pp.num_rows(), 2);
    assert_eq!(pp.view().as_ptr(), p.as_ptr());
}

#[test]
fn count_functions_reject_bad_inputs_with_typed_errors() {
    use cl_core::count::{EstimationMethod, num_label_issues};
    // Single class: cleanlab's count validation raises "Labels must contain at least 2 classes."
    let p = probs();
    let (labels, pp) = validate(&[1_i64, 1, 1], p.view()).unwrap();
    assert_eq!(
        num_label_issues(&labels, &pp, &EstimationMethod::OffDiagonal).unwrap_err(),
        CoreError::TooFewClasses {
            found: 1,
            required: 2
        }
    );
    // A confident joint of the wrong shape.
    let (labels, pp) = validate(&[0_i64, 1, 1], p.view()).unwrap();
    let bad = ndarray::Array2::<i64>::ones((3, 3));
    assert!(matches!(
        num_label_issues(&labels, &pp, &EstimationMethod::OffDiagonalCustom(bad)),
        Err(CoreError::Shape { .. })
    ));
}
