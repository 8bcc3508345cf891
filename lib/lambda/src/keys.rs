//! The deployment's secrets in SSM Parameter Store, which only the `accounts` function may read:
//! the private key ring staff tokens are signed with, and the sign-up code. Both are SecureString
//! parameters (standard tier: free while idle) that no template names a value of; `bistro-keys`
//! writes them.
//!
//! Why the AWS-managed `aws/ssm` key and not a key of our own: that key lets every principal of
//! the account decrypt, so what keeps other functions out is that only `accounts` is allowed
//! `ssm:GetParameter` on these parameters (tested on the synthesized template). A customer-managed
//! KMS key would add a second lock at $1 a month while idle (AWS Systems Manager user guide,
//! "Restricting decryption of SecureString parameter values").

use aws_sdk_ssm::Client;
use aws_sdk_ssm::types::ParameterType;
use bistro_api::ApiError;
use bistro_api::sign_up::{SignUpPolicy, SignUpRule};
use bistro_api::signing::{KeyError, KeyRing, KeySource, PublicKeys};
use bistro_store::repo::SigningKeys;

/// The parameters' names for one stack, as the CDK stack grants them.
pub fn signing_key_parameter(stack: &str) -> String {
    format!("/bistro/{stack}/signing-key")
}

pub fn sign_up_code_parameter(stack: &str) -> String {
    format!("/bistro/{stack}/sign-up-code")
}

/// One SecureString parameter's value, `None` when it does not exist.
async fn read(client: &Client, name: &str) -> Result<Option<String>, String> {
    match client.get_parameter().name(name).with_decryption(true).send().await {
        Ok(found) => Ok(found.parameter.and_then(|p| p.value)),
        Err(error) if error.as_service_error().is_some_and(|e| e.is_parameter_not_found()) => Ok(None),
        Err(error) => Err(aws_sdk_ssm::error::DisplayErrorContext(error).to_string()),
    }
}

async fn write(client: &Client, name: &str, value: String, description: &str) -> Result<(), String> {
    client
        .put_parameter()
        .name(name)
        .value(value)
        .r#type(ParameterType::SecureString)
        .description(description)
        .overwrite(true)
        .send()
        .await
        .map(|_| ())
        .map_err(|error| aws_sdk_ssm::error::DisplayErrorContext(error).to_string())
}

/// The signing key ring, as `accounts` reads it when it first issues a token and every few
/// minutes after (so a rotation reaches it without a restart).
#[derive(Debug, Clone)]
pub struct SsmKeyRing {
    pub client: Client,
    pub name: String,
}

#[async_trait::async_trait]
impl KeySource for SsmKeyRing {
    async fn key_ring(&self) -> Result<Option<KeyRing>, KeyError> {
        let value = read(&self.client, &self.name).await.map_err(KeyError::Unavailable)?;
        value.as_deref().map(KeyRing::parse).transpose()
    }
}

/// Sign-up needs the parameter's code; without the parameter it is closed. Read at each
/// sign-up, which is rare, so that setting or removing the code takes effect at once.
#[derive(Debug, Clone)]
pub struct SsmSignUpCode {
    pub client: Client,
    pub name: String,
}

#[async_trait::async_trait]
impl SignUpPolicy for SsmSignUpCode {
    async fn rule(&self) -> Result<SignUpRule, ApiError> {
        match read(&self.client, &self.name).await.map_err(ApiError::Unavailable)? {
            Some(code) if !code.trim().is_empty() => Ok(SignUpRule::Code(code)),
            _ => Ok(SignUpRule::Closed),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RotateError {
    #[error(transparent)]
    Keys(#[from] KeyError),
    #[error("SSM: {0}")]
    Ssm(String),
    #[error("the table: {0}")]
    Table(#[from] bistro_store::RepoError),
}

/// Makes a new signing key (the first one, when there is none) and keeps the one it replaces
/// verifiable while its tokens can live. The public set goes to the table before the private
/// ring goes to SSM, so no token is ever signed with a key verifiers cannot find.
///
/// Two rotations at once must not leave SSM signing with a key the table lacks, and SSM cannot
/// write conditionally; the table can. So the published set only grows by rotations (each adds
/// its ring's keys over the version it read, reading again if another came first) and loses
/// only the keys this rotation retired for good: a key that ever reached SSM is always in the set.
///
/// `revoke_previous` (a key that leaked) retires every key before the new one at once: the
/// published set loses them, and verifiers refuse their tokens within `VERIFIER_REFRESH`.
pub async fn rotate(
    client: &Client,
    name: &str,
    public: &SigningKeys,
    now: u64,
    revoke_previous: bool,
) -> Result<KeyRing, RotateError> {
    let old = read(client, name).await.map_err(RotateError::Ssm)?.map(|json| KeyRing::parse(&json)).transpose()?;
    let ring = match &old {
        Some(old) if revoke_previous => old.rotated_revoking()?,
        Some(old) => old.rotated(now)?,
        None => KeyRing::generate()?,
    };
    let retired: Vec<String> =
        old.iter().flat_map(KeyRing::kids).filter(|kid| !ring.kids().any(|k| k == *kid)).map(str::to_owned).collect();
    let mut attempts = 0;
    loop {
        let stored = public.public_versioned().await?;
        let mut set = ring.public_keys()?;
        if let Some((json, _)) = &stored {
            set = set.with_kept(&PublicKeys::parse(json)?, |kid| !retired.iter().any(|r| r == kid));
        }
        match public.publish_over(&set.to_json(), stored.map(|(_, version)| version)).await {
            Err(bistro_store::RepoError::StaleVersion) if attempts < 5 => attempts += 1,
            other => break other?,
        }
    }
    write(client, name, ring.to_json(), "Bistro's staff-token signing keys (bistro-keys rotate)")
        .await
        .map_err(RotateError::Ssm)?;
    Ok(ring)
}

/// Sets the code sign-up asks for; `None` closes sign-up.
pub async fn set_sign_up_code(client: &Client, name: &str, code: Option<&str>) -> Result<(), RotateError> {
    match code {
        Some(code) => write(client, name, code.trim().to_owned(), "The code creating a restaurant asks for")
            .await
            .map_err(RotateError::Ssm),
        None => match client.delete_parameter().name(name).send().await {
            Ok(_) => Ok(()),
            Err(error) if error.as_service_error().is_some_and(|e| e.is_parameter_not_found()) => Ok(()),
            Err(error) => Err(RotateError::Ssm(aws_sdk_ssm::error::DisplayErrorContext(error).to_string())),
        },
    }
}

pub const USAGE: &str = "\
bistro-keys: the deployment's signing keys and sign-up code, in SSM Parameter Store.

  bistro-keys rotate --stack STACK --table TABLE [--revoke-previous]
      Makes a new signing key (the first one, after the first deploy). Logins go on working:
      tokens signed with the key it replaces stay valid until they expire (12 hours). With
      --revoke-previous (a key that leaked) they are refused everywhere within 30 seconds, and
      everyone logs in again.
  bistro-keys sign-up-code --stack STACK
      Reads a code from standard input; creating a restaurant then needs it.
  bistro-keys sign-up-code --stack STACK --close
      Closes sign-up: nobody can create a restaurant.
  bistro-keys origin-secret --table TABLE [--revoke-previous]
      Reads the secret the site's CloudFront sends (at least 32 characters) from standard input;
      the API then accepts it and the one before it, and nothing else. Put the same secret into
      CloudFront's key value store (the OriginSecretStore output) after this, never before. With
      --revoke-previous (a secret that leaked; run it again once CloudFront sends the new one)
      the one before is refused everywhere within 30 seconds.

STACK is the stage (cdk/stages.json: test, prod), as `-c stage=` names it; TABLE its table (the TableName output).
Credentials and region come from the environment, as for the AWS CLI.";

/// What one command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Rotate { stack: String, table: String, revoke_previous: bool },
    SetSignUpCode { stack: String },
    CloseSignUp { stack: String },
    AcceptOriginSecret { table: String, revoke_previous: bool },
}

impl Command {
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Self, String> {
        let mut args = args.into_iter();
        let verb = args.next().ok_or_else(|| USAGE.to_owned())?;
        let (mut stack, mut table, mut close, mut revoke_previous) = (None, None, false, false);
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--stack" => stack = args.next(),
                "--table" => table = args.next(),
                "--close" => close = true,
                "--revoke-previous" => revoke_previous = true,
                other => return Err(format!("unknown argument '{other}'\n\n{USAGE}")),
            }
        }
        if verb == "origin-secret" {
            return match (table, stack, close) {
                (Some(table), None, false) => Ok(Self::AcceptOriginSecret { table, revoke_previous }),
                (None, _, _) => Err(format!("name the table: --table TABLE\n\n{USAGE}")),
                _ => Err(USAGE.to_owned()),
            };
        }
        let stack = stack.ok_or_else(|| format!("name the stack: --stack STACK\n\n{USAGE}"))?;
        match (verb.as_str(), table, close) {
            ("rotate", Some(table), false) => Ok(Self::Rotate { stack, table, revoke_previous }),
            (_, _, _) if revoke_previous => Err(USAGE.to_owned()),
            ("rotate", None, _) => Err(format!("name the table: --table TABLE\n\n{USAGE}")),
            ("sign-up-code", None, false) => Ok(Self::SetSignUpCode { stack }),
            ("sign-up-code", None, true) => Ok(Self::CloseSignUp { stack }),
            _ => Err(USAGE.to_owned()),
        }
    }

    /// Carries the command out; `input` is standard input (the sign-up code). Returns what to
    /// tell the operator: key ids and parameter names, never a key or a code.
    pub async fn run(self, aws: &aws_config::SdkConfig, input: &str) -> Result<String, String> {
        let client = Client::new(aws);
        match self {
            Self::Rotate { stack, table, revoke_previous } => {
                let store = bistro_store::engine::dynamodb::DynamoStore::new(
                    bistro_store::engine::dynamodb::Client::new(aws),
                    table,
                );
                let public = bistro_store::Repos::new(std::sync::Arc::new(store)).signing_keys;
                let name = signing_key_parameter(&stack);
                let ring =
                    rotate(&client, &name, &public, unix_now(), revoke_previous).await.map_err(|e| e.to_string())?;
                let kept: Vec<&str> = ring.kids().skip(1).collect();
                Ok(format!(
                    "signing with key {} now (in {name}); still accepted: {}",
                    ring.current_kid(),
                    if kept.is_empty() { "no other".to_owned() } else { kept.join(", ") }
                ))
            }
            Self::SetSignUpCode { stack } => {
                let code = input.trim();
                if code.chars().count() < 12 {
                    return Err("a sign-up code needs at least 12 characters, so that it cannot be guessed".into());
                }
                let name = sign_up_code_parameter(&stack);
                set_sign_up_code(&client, &name, Some(code)).await.map_err(|e| e.to_string())?;
                Ok(format!("creating a restaurant now needs the code kept in {name}"))
            }
            Self::AcceptOriginSecret { table, revoke_previous } => {
                let secret = input.trim();
                if secret.chars().count() < 32 {
                    return Err("an origin secret needs at least 32 characters (openssl rand -hex 32 makes one)".into());
                }
                let store = bistro_store::engine::dynamodb::DynamoStore::new(
                    bistro_store::engine::dynamodb::Client::new(aws),
                    table,
                );
                let keys = bistro_store::Repos::new(std::sync::Arc::new(store)).signing_keys;
                let digest = bistro_api::origin::digest_of(secret);
                if revoke_previous {
                    keys.accept_only_origin_digest(&digest).await.map_err(|e| e.to_string())?;
                    return Ok(
                        "the API accepts only this origin secret now: the one before it is refused within 30 seconds"
                            .into(),
                    );
                }
                keys.accept_origin_digest(&digest).await.map_err(|e| e.to_string())?;
                Ok("the API accepts this origin secret now (and the one before it); put it into CloudFront's key value store next".into())
            }
            Self::CloseSignUp { stack } => {
                set_sign_up_code(&client, &sign_up_code_parameter(&stack), None).await.map_err(|e| e.to_string())?;
                Ok("sign-up is closed: nobody can create a restaurant".into())
            }
        }
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::Command;

    fn parse(line: &str) -> Result<Command, String> {
        Command::parse(line.split_whitespace().map(str::to_owned))
    }

    #[test]
    fn revoke_previous_is_read_for_a_rotation_and_an_origin_secret_and_refused_elsewhere() {
        let rotation = parse("rotate --stack Bistro --table T --revoke-previous");
        assert_eq!(rotation, Ok(Command::Rotate { stack: "Bistro".into(), table: "T".into(), revoke_previous: true }));
        let secret = parse("origin-secret --table T --revoke-previous");
        assert_eq!(secret, Ok(Command::AcceptOriginSecret { table: "T".into(), revoke_previous: true }));
        assert_eq!(
            parse("rotate --stack Bistro --table T"),
            Ok(Command::Rotate { stack: "Bistro".into(), table: "T".into(), revoke_previous: false })
        );
        assert!(parse("sign-up-code --stack Bistro --revoke-previous").is_err());
    }
}
