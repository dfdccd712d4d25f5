export function ConnectPage() {
  return (
    <main id="main" className="login">
      <h1>Connect</h1>
    </main>
  );
}
