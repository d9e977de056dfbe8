/** The one stylesheet of the product's pages: small, mobile first, readable at 320 px. */
export const STYLESHEET = `
:root{--ink:#1b1f24;--muted:#57606a;--accent:#0b6e4f;--accent-dark:#07543c;--accent-ink:#fff;--error:#b42318;--bg:#f6f8fa;--card:#fff;--line:#d0d7de;--focus:#f7b500}
*{box-sizing:border-box}
html{font-size:100%;-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg);overflow-wrap:break-word}
.brand{background:var(--accent)}
.wrap{max-width:32rem;margin:0 auto;padding:0 1rem}
.brand a{display:inline-flex;align-items:center;gap:.6rem;min-height:3rem;color:var(--accent-ink);text-decoration:none;font-weight:700;font-size:1.125rem}
.logo{position:relative;display:inline-block;width:1.6rem;height:.9rem;border:2px solid currentColor;border-radius:3px;margin-right:4px}
.logo::before{content:"";position:absolute;left:2px;top:2px;bottom:2px;width:35%;border-radius:1px;background:var(--focus)}
.logo::after{content:"";position:absolute;right:-6px;top:50%;width:3px;height:.4rem;transform:translateY(-50%);border-radius:0 2px 2px 0;background:currentColor}
main{max-width:32rem;margin:0 auto;padding:1rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:.75rem;padding:1.25rem}
h1{font-size:1.5rem;line-height:1.25;margin:.25rem 0 1rem}
h2{font-size:1.125rem;line-height:1.3;margin:1.5rem 0 .5rem}
p,ul,ol{margin:0 0 1rem}
ul,ol{padding-left:1.25rem}
li{margin-bottom:.35rem}
label{display:block;font-weight:600;margin-bottom:.25rem}
.hint{color:var(--muted);font-size:.9375rem;margin:.25rem 0 .5rem}
.card>:last-child{margin-bottom:0}
.card>.hint:last-child{margin-top:1rem}
input[type=tel]{width:100%;min-height:3rem;font:inherit;font-size:1.125rem;padding:.65rem .75rem;color:var(--ink);background:#fff;border:2px solid #6e7781;border-radius:.5rem}
:focus-visible,input:focus{outline:3px solid var(--focus);outline-offset:2px}
input[aria-invalid=true]{border-color:var(--error)}
.field{margin-bottom:1.25rem}
.consent{display:flex;gap:.75rem;align-items:flex-start;padding:.75rem;border:1px solid var(--line);border-radius:.5rem;background:var(--bg)}
.consent input{width:1.75rem;height:1.75rem;margin:0;flex:none;accent-color:var(--accent);cursor:pointer}
.consent label{font-weight:400;margin:0;cursor:pointer}
.consent:has(input[aria-invalid=true]){border:2px solid var(--error)}
.error{color:var(--error);font-weight:600;margin:.25rem 0 .5rem}
.errors{border:3px solid var(--error);border-radius:.5rem;padding:.75rem 1rem;margin-bottom:1.25rem}
.errors h2{margin:0 0 .5rem;font-size:1.125rem}
.errors ul{margin:0;padding-left:1.25rem}
.errors li{margin:.25rem 0}
.errors a{color:var(--error);font-weight:600}
button,.button{display:block;width:100%;min-height:3rem;font:inherit;font-size:1.125rem;font-weight:700;line-height:1.3;padding:.75rem 1rem;border:0;border-radius:.5rem;background:var(--accent);color:var(--accent-ink);text-align:center;text-decoration:none;cursor:pointer}
button:hover,.button:hover{background:var(--accent-dark)}
main a.button{color:var(--accent-ink)}
.steps{padding-left:1.5rem}
.steps li{padding-left:.25rem;margin-bottom:.5rem}
.sms-label{color:var(--muted);font-size:.9375rem;margin:.75rem 0 .25rem}
.sms{background:#e9ecef;border-radius:1rem 1rem 1rem .25rem;padding:.6rem .85rem;margin:0 0 .5rem;max-width:22rem}
footer{max-width:32rem;margin:0 auto;padding:.5rem 1rem 2rem;color:var(--muted);font-size:.9375rem}
footer a{display:inline-block;padding:.6rem 0}
footer p{margin:0}
footer a,main a{color:var(--accent)}
.visually-hidden{position:absolute!important;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
@media (min-width:40rem){h1{font-size:1.75rem}.card{padding:2rem}main{padding:1.5rem 1rem}}
`;
