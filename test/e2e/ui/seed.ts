// The seed's story as the live view's browser tests (Chromium and Firefox) deploy it: a Deployment
// of 3 serve-hostname pods behind my-service (port 8080 to the pods' 9376).
export const backend = `apiVersion: apps/v1
kind: Deployment
metadata: {name: backend}
spec:
  replicas: 3
  selector: {matchLabels: {app: MyApp}}
  template:
    metadata: {labels: {app: MyApp}}
    spec:
      containers:
      - name: serve-hostname
        image: registry.k8s.io/e2e-test-images/agnhost:2.53
        args: ["serve-hostname"]
        readinessProbe: {tcpSocket: {port: 9376}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: my-service}
spec:
  selector: {app: MyApp}
  ports: [{port: 8080, targetPort: 9376}]
`;
