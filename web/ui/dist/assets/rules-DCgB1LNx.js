<<<<<<<< HEAD:web/ui/dist/assets/rules-DCgB1LNx.js
import{b as i}from"./index-Ck4zkzBo.js";function t(r){const s=r.rule||r,e=[];return s.expression&&e.push(s.expression),s.field&&e.push(`${s.field} ∈ ${i(`userset.${s.is}`)}`),e.join(" · ")}export{t as r};
========
import{t as i}from"./index-D2zCuWiW.js";function t(r){const s=r.rule||r,e=[];return s.expression&&e.push(s.expression),s.field&&e.push(`${s.field} ∈ ${i(`userset.${s.is}`)}`),e.join(" · ")}export{t as r};
>>>>>>>> 8a8f4c3 (UI: rebuild dist after rebase):web/ui/dist/assets/rules-Ck-LHEhJ.js
