//! Online payment providers. Qiaoyi takes no money itself: staff record a payment a provider made,
//! with the provider's reference. [`PaymentProvider`] is where a provider plugs in; the bureau
//! configures [`ConfiguredProvider`]s (reference format, and optionally a gateway that confirms a
//! reference paid an amount). A payment no gateway confirmed is recorded as "on staff's word".

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;

use crate::config::{Config, PaymentProviderConfig};
use crate::delivery::webhook_signature;

/// Why a provider did not confirm a payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProviderError {
    /// The provider answered: no such payment, or another amount.
    Refused(String),
    /// The provider could not be asked; trying later may work.
    Unreachable(String),
}

pub type Confirming<'a> = Pin<Box<dyn Future<Output = Result<bool, ProviderError>> + Send + 'a>>;

/// An online payment provider.
pub trait PaymentProvider: Send + Sync + fmt::Debug {
    fn code(&self) -> &str;
    fn name(&self) -> &str;
    /// The reference as stored, or why it cannot be one of this provider's.
    fn check_reference(&self, reference: &str) -> Result<String, String>;
    /// Whether the provider confirms that `reference` paid `amount_fen`: `Ok(true)` confirmed,
    /// `Ok(false)` when this provider cannot be asked (recorded on the staff member's word). `now_s`
    /// is the app clock's time in seconds, signed into the request.
    fn confirm<'a>(&'a self, reference: &'a str, amount_fen: i64, now_s: i64) -> Confirming<'a>;
}

/// A provider as configured: its reference rule and, optionally, its confirmation gateway.
pub struct ConfiguredProvider {
    config: PaymentProviderConfig,
    client: reqwest::Client,
}

impl fmt::Debug for ConfiguredProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Not the secret, nor the URL, which may carry credentials.
        f.debug_struct("ConfiguredProvider")
            .field("code", &self.config.code)
            .field("gateway", &self.config.confirm_url.is_some())
            .finish()
    }
}

#[derive(Deserialize)]
struct GatewayAnswer {
    paid: bool,
    #[serde(default)]
    amount_fen: Option<i64>,
}

impl PaymentProvider for ConfiguredProvider {
    fn code(&self) -> &str {
        &self.config.code
    }

    fn name(&self) -> &str {
        &self.config.name
    }

    fn check_reference(&self, reference: &str) -> Result<String, String> {
        self.config.rule().check(reference)
    }

    fn confirm<'a>(&'a self, reference: &'a str, amount_fen: i64, now_s: i64) -> Confirming<'a> {
        Box::pin(async move {
            let (Some(url), Some(secret)) = (&self.config.confirm_url, &self.config.confirm_secret)
            else {
                return Ok(false);
            };
            let body = serde_json::json!({
                "provider": self.config.code,
                "reference": reference,
                "amount_fen": amount_fen,
            })
            .to_string();
            let timestamp = now_s;
            let signature = webhook_signature(&secret.0, timestamp, body.as_bytes());
            let unreachable = |why: String| {
                ProviderError::Unreachable(format!(
                    "{} could not be asked: {why}",
                    self.config.name
                ))
            };
            let response = self
                .client
                .post(url)
                .header("Content-Type", "application/json")
                .header("X-Qiaoyi-Timestamp", timestamp.to_string())
                .header("X-Qiaoyi-Signature", format!("sha256={signature}"))
                .body(body)
                .send()
                .await
                .map_err(|e| unreachable(e.without_url().to_string()))?;
            if !response.status().is_success() {
                return Err(unreachable(format!("it answered {}", response.status())));
            }
            let text = response
                .text()
                .await
                .map_err(|e| unreachable(e.without_url().to_string()))?;
            let answer: GatewayAnswer = serde_json::from_str(&text)
                .map_err(|e| unreachable(format!("its answer was not understood: {e}")))?;
            match (answer.paid, answer.amount_fen) {
                (false, _) => Err(ProviderError::Refused(format!(
                    "{} has no payment with this reference",
                    self.config.name
                ))),
                (true, Some(paid)) if paid != amount_fen => Err(ProviderError::Refused(format!(
                    "{} says this reference paid ¥{}, not ¥{}",
                    self.config.name,
                    qiaoyi_domain::fees::format_yuan(paid),
                    qiaoyi_domain::fees::format_yuan(amount_fen)
                ))),
                (true, _) => Ok(true),
            }
        })
    }
}

/// The providers staff may record online payments from, in the configured order.
#[derive(Clone, Debug, Default)]
pub struct Providers(Arc<Vec<Box<dyn PaymentProvider>>>);

impl Providers {
    pub fn from_config(config: &Config) -> Providers {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        Providers(Arc::new(
            config
                .payment_providers
                .iter()
                .map(|c| {
                    Box::new(ConfiguredProvider {
                        config: c.clone(),
                        client: client.clone(),
                    }) as Box<dyn PaymentProvider>
                })
                .collect(),
        ))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, code: &str) -> Option<&dyn PaymentProvider> {
        self.0.iter().find(|p| p.code() == code).map(AsRef::as_ref)
    }

    /// `(code, name)` of each provider, for forms.
    pub fn list(&self) -> Vec<(String, String)> {
        self.0
            .iter()
            .map(|p| (p.code().to_owned(), p.name().to_owned()))
            .collect()
    }
}
