//! TODO: latent
