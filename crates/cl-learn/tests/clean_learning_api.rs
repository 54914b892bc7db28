//! `CleanLearning` behaviour beyond the golden fixtures: errors, warnings and state.

#![allow(clippy::unwrap_used)]

use cl_learn::models::GaussianNB;
use cl_learn::{
    CleanLearning, FindIssuesArgs, FitArgs, GivenLabelIssues, LearnError, LearnWarning,
};
use ndarray::Array2;

fn data(n: usize, k: usize) -> (Array2<f64>, Vec<usize>) {
    let labels: Vec<usize> = (0..n).map(|i| i % k).collect();
    let x = Array2::from_shape_fn((n, 2), |(i, j)| {
        labels[i] as f64 * 3.0 + ((i * 31 + j * 17) % 11) as f64 / 11.0
    });
    (x, labels)
}

#[test]
fn errors() {
    let (x, labels) = data(60, 3);
    let mut cl = CleanLearning::new(GaussianNB::default());
    assert_eq!(cl.predict(x.view()), Err(LearnError::NotFitted));
    let gap: Vec<usize> = labels.iter().map(|&y| if y == 1 { 3 } else { y }).collect();
    assert!(matches!(
        cl.find_label_issues(Some(x.view()), &gap, &FindIssuesArgs::default()),
        Err(LearnError::MissingClasses { missing, .. }) if missing == vec![1]
    ));
    assert!(matches!(
        cl.fit(
            x.view(),
            &labels,
            &FitArgs::default().label_issues(GivenLabelIssues::Indices(vec![60]))
        ),
        Err(LearnError::LabelIssueIndexOutOfRange {
            index: 60,
            num_examples: 60
        })
    ));
    let mut table = cl
        .find_label_issues(Some(x.view()), &labels, &FindIssuesArgs::default())
        .unwrap();
    table.given_label[5] = 0;
    assert_eq!(
        cl.fit(
            x.view(),
            &labels,
            &FitArgs::default().label_issues(GivenLabelIssues::Table(table))
        ),
        Err(LearnError::GivenLabelMismatch { row: 5 })
    );
    let p = Array2::from_elem((60, 3), 1.0 / 3.0);
    assert!(matches!(
        cl.find_label_issues(
            None,
            &labels,
            &FindIssuesArgs::default()
                .pred_probs(p.view())
                .thresholds(vec![0.5])
        ),
        Err(LearnError::Core(_))
    ));
    let (x2, labels2) = data(40, 2);
    let p2 = Array2::from_elem((40, 2), 0.5);
    let mut pu = CleanLearning::builder(GaussianNB::default())
        .pulearning(Some(2))
        .build();
    assert_eq!(
        pu.find_label_issues(
            Some(x2.view()),
            &labels2,
            &FindIssuesArgs::default().pred_probs(p2.view())
        ),
        Err(LearnError::InvalidPulearning(2))
    );
}

#[test]
fn warnings_and_state() {
    let (x, mut labels) = data(61, 3);
    labels[60] = 3; // a singleton class
    let mut cl = CleanLearning::builder(GaussianNB::default())
        .seed(Some(1))
        .cv_n_folds(3)
        .build();
    cl.find_label_issues(Some(x.view()), &labels, &FindIssuesArgs::default())
        .unwrap();
    assert!(
        cl.warnings()
            .contains(&LearnWarning::DuplicatedRareClasses { classes: vec![3] })
    );
    assert!(
        cl.warnings()
            .iter()
            .any(|w| matches!(w, LearnWarning::LeastPopulatedClass { min_members: 1, .. }))
    );
    assert!(cl.noise_matrix().is_some() && cl.confident_joint().is_some());
    cl.save_space();
    assert!(cl.get_label_issues().is_none() && cl.noise_matrix().is_none());

    let mut low = CleanLearning::builder(GaussianNB::default())
        .seed(Some(1))
        .low_memory(true)
        .min_examples_per_class(3)
        .build();
    let (x, labels) = data(60, 3);
    let t = low
        .find_label_issues(
            Some(x.view()),
            &labels,
            &FindIssuesArgs::default().save_space(true),
        )
        .unwrap();
    assert_eq!(t.len(), 60);
    assert!(
        low.warnings()
            .contains(&LearnWarning::LowMemoryIgnoresOptions)
    );
    assert!(low.get_label_issues().is_none());
    assert!(low.noise_matrix().is_none());
}

#[test]
fn fit_predict_score() {
    let (x, labels) = data(90, 3);
    let mut cl = CleanLearning::builder(GaussianNB::default())
        .seed(Some(0))
        .build();
    cl.fit(x.view(), &labels, &FitArgs::default()).unwrap();
    assert_eq!(cl.predict(x.view()).unwrap(), labels);
    assert_eq!(cl.score(x.view(), &labels, None).unwrap(), 1.0);
    let w = vec![1.0; 90];
    assert_eq!(cl.score(x.view(), &labels, Some(&w)).unwrap(), 1.0);
    let p = cl.predict_proba(x.view()).unwrap();
    assert_eq!(p.dim(), (90, 3));
    let sw = cl.sample_weight().unwrap();
    let nm = cl.noise_matrix().unwrap();
    for (i, &y) in labels.iter().enumerate() {
        if !cl.label_issues_mask().unwrap()[i] {
            assert_eq!(sw[i], 1.0 / nm[[y, y]].max(0.001));
        }
    }
}
