import AdmissionWebhooks
import Check
import FoundationEssentials
import HTTPClient
import KubernetesClient

/// What `ctlmon check` reads from the cluster of a kubeconfig, as kubectl reaches it: the
/// control plane's scrapes (the API server's `/metrics`; on EKS the scheduler's and the
/// controller manager's where offered), both kinds of admission webhook configurations, and
/// notes for the reader (`insecure-skip-tls-verify`, what was not offered).
struct ClusterRead {
    /// The scrapes, named for the component (`kube-apiserver`, …).
    var scrapes: [InputSource]
    /// The webhook configurations listed; nil when `--webhook-config` gave them.
    var webhooks: WebhookConfigurationReader.Result?
    /// Said on standard error before the report.
    var notes: [String]

    /// Reads the cluster of `context` (the current one) in the kubeconfig (`--kubeconfig`, else
    /// `KUBECONFIG`'s files, else `~/.kube/config`); lists the webhook configurations when
    /// `webhooks` is set. Every failure is bad input naming what failed.
    static func read(kubeconfig: String?, context: String?, webhooks: Bool) throws(CommandFailure) -> ClusterRead {
        let environment = ProcessInfo.processInfo.environment
        let (paths, explicit) = Kubeconfig.paths(explicit: kubeconfig, environment: environment)
        let api: KubernetesAPI
        var notes: [String]
        do throws(KubeconfigError) {
            let config = try Kubeconfig.load(paths: paths, mustExist: explicit)
            (api, notes) = try config.api(context: context, environment: environment)
        } catch {
            throw .badInput(error.description)
        }
        do {
            let (scrapes, skipped) = try api.controlPlaneScrapes()
            if !skipped.isEmpty { notes.append("not offered by this cluster: " + skipped.joined(separator: ", ")) }
            var listed: WebhookConfigurationReader.Result? = nil
            if webhooks {
                let lists = try api.webhookConfigurationLists()
                do throws(WebhookConfigError) {
                    listed = try WebhookConfigurationReader.read(lists: lists)
                } catch {
                    throw CommandFailure.badInput("\(api.server): \(error.description)")
                }
            }
            return ClusterRead(
                scrapes: scrapes.map { InputSource.bytes(name: $0.name, $0.text) }, webhooks: listed, notes: notes)
        } catch let failure as CommandFailure {
            throw failure
        } catch let failure as HTTPFailure {
            throw .badInput("\(api.server): \(failure.message)")
        } catch {
            throw .badInput("\(api.server): \(error)")
        }
    }
}
