// The web Deployments the several-machines tests place on chosen nodes: agnhost serve-hostname on
// port 8080 (it answers with its pod's name), labelled app=web and part=<name>, so one Service
// selects all of them and each part can be found on its node.
export function webPart(name: string, placement: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: 1
  selector: {matchLabels: {app: web, part: ${name}}}
  template:
    metadata: {labels: {app: web, part: ${name}}}
    spec:
${placement}
      containers:
      - name: web
        image: registry.k8s.io/e2e-test-images/agnhost:2.39
        args: [serve-hostname, --port, "8080"]
        ports: [{containerPort: 8080}]
        readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}
`;
}
