import{cl as i}from"./index-DkdQg2VS.js";const n=o=>["",...i].includes(o);export{n as i};
