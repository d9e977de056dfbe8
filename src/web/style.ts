/** The one stylesheet of the product's pages: small, mobile first, readable at 320 px. */
export const STYLESHEET = `
:root{--ink:#1b1f24;--muted:#57606a;--accent:#0b6e4f;--accent-ink:#fff;--error:#b42318;--bg:#f6f8fa;--card:#fff;--line:#d0d7de}
*{box-sizing:border-box}
html{font-size:100%}
body{margin:0;font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
.brand{padding:.75rem 1rem;background:var(--accent)}
.brand a{color:var(--accent-ink);text-decoration:none;font-weight:700}
main{max-width:32rem;margin:0 auto;padding:1rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:.75rem;padding:1.25rem}
h1{font-size:1.5rem;line-height:1.25;margin:.25rem 0 1rem}
label{display:block;font-weight:600;margin-bottom:.25rem}
.hint{color:var(--muted);font-size:.9rem;margin:.25rem 0 .5rem}
input[type=tel]{width:100%;font-size:1.125rem;padding:.65rem .75rem;border:2px solid var(--line);border-radius:.5rem}
input[type=tel]:focus,input[type=checkbox]:focus,button:focus,a:focus{outline:3px solid #f7b500;outline-offset:2px}
input[aria-invalid=true]{border-color:var(--error)}
.field{margin-bottom:1.25rem}
.consent{display:flex;gap:.6rem;align-items:flex-start}
.consent input{width:1.4rem;height:1.4rem;margin-top:.15rem;flex:none}
.consent label{font-weight:400}
.error{color:var(--error);font-weight:600;margin:.35rem 0 0}
.errors{border:2px solid var(--error);border-radius:.5rem;padding:.5rem .75rem;margin-bottom:1rem}
button,.button{display:inline-block;width:100%;font-size:1.125rem;font-weight:700;padding:.8rem 1rem;border:0;border-radius:.5rem;background:var(--accent);color:var(--accent-ink);text-align:center;text-decoration:none;cursor:pointer}
.sms{background:#e9ecef;border-radius:1rem 1rem 1rem .25rem;padding:.6rem .85rem;margin:.5rem 0;max-width:90%}
footer{max-width:32rem;margin:0 auto;padding:1rem;color:var(--muted);font-size:.9rem}
footer a,main a{color:var(--accent)}
`;
