//! scratch
use cleanlab::learn::demo::{DemoConfig, dataset};
use cleanlab::learn::models::LogisticRegression;
use cleanlab::learn::{CleanLearning, FindIssuesArgs, FitArgs, GivenLabelIssues};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Features (3,000 × 6), noisy labels (5 classes) and the true labels of the demo data.
    let data = dataset(&DemoConfig::default())?;

    // Cross-validated logistic regression finds the examples whose label looks wrong.
    let mut cl = CleanLearning::builder(LogisticRegression::default())
        .seed(Some(0))
        .build();
    let issues = cl.find_label_issues(
        Some(data.features.view()),
        &data.labels,
        &FindIssuesArgs::default(),
    )?;
    let flagged = issues.issue_indices();
    let flipped = flagged
        .iter()
        .filter(|&&i| data.labels[i] != data.true_labels[i])
        .count();
    println!(
        "{} label issues, {flipped} of them really flipped",
        flagged.len()
    );
    println!("most likely first: {:?}", &issues.ranked_issues()[..5]);

    // Retrain without them (classes re-weighted by the estimated noise) and score on clean data.
    cl.fit(
        data.features.view(),
        &data.labels,
        &FitArgs::default().label_issues(GivenLabelIssues::Table(issues)),
    )?;
    println!(
        "test accuracy: {:.3}",
        cl.score(data.test_features.view(), &data.test_labels, None)?
    );
    Ok(())
}
