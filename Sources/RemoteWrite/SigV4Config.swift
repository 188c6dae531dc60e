/// `sigv4` of a `remote_write` entry (Prometheus's keys): requests are signed with AWS
/// Signature Version 4 for the service `aps` (Amazon Managed Service for Prometheus).
/// Without `access_key`, credentials come from the environment, EKS Pod Identity or IRSA
/// (``AWSCredentialsProvider``).
package struct SigV4Config: Sendable {
    /// `region`; without it, `AWS_REGION` or `AWS_DEFAULT_REGION`.
    package var region: String? = nil
    /// `access_key` (with `secret_key`): static credentials.
    package var accessKey: String? = nil
    /// `secret_key`.
    package var secretKey: String? = nil
    /// `profile`: a profile of the shared credentials file (`~/.aws/credentials`).
    package var profile: String? = nil
    /// `role_arn`: a role assumed with the credentials found, before signing.
    package var roleARN: String? = nil

    /// No key set: everything from the environment.
    package init() {}
}
